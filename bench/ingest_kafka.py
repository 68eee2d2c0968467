"""Kafka -> PostgreSQL ingest rate against the raw kafka-python consume rate, in one run.

Workload: 5 scopes x 4,000 hosts x 5 scan rounds (a new catalogue, then repeat sightings with
drift and absences) = 100,050 events on a fresh topic namespace and a fresh database.
Without addresses it starts the local broker and PostgreSQL with deploy/local/services.sh.
With `--consumers N`, N inventory consumers (processes, as deployments run them) share one
consumer group, one or more partitions each; `events_per_s` is their aggregate, from the first
batch any of them folded to the moment the catalogue holds every event. They start together
(a barrier) once the stream is published, so the group forms in one go; what rebalancing it
takes is inside the measurement, as it is when a deployment starts its consumers.
Ends with `raw_consume_per_s`, `events_per_s` and `ratio` as key=value lines, then `check=ok`
when the catalogue equals the reference run's (bench/_catalogue.py).
Run: .venv/bin/python bench/ingest_kafka.py [--bootstrap H:P --database-url URL]
     [--consumers N] [--profile] [--gc-default]
Consumers settle their garbage collector as `spbe consume` does (`--gc-default`: they do not).
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing as mp
import os
import pstats
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from spbe_common import heap
from spbe_common.bus import publish
from spbe_common.bus.kafka import KafkaBus, client_config
from spbe_common.events import Event, Topic
from spbe_common.settings import BusBackend
from spbe_inventory import migrate
from spbe_inventory.db import make_engine
from spbe_inventory.ingest.consumer import InventoryConsumer
from spbe_inventory.settings import InventorySettings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _catalogue import check
from synthetic import opd_codes, register_opd, scan_stream

SERVICES_SH = Path(__file__).resolve().parents[1] / "deploy" / "local" / "services.sh"


def local_servers() -> dict[str, str]:
    """Start (idempotently) the repo's loopback broker and PostgreSQL; returns what `start`
    exports: their addresses and the broker's admin login (SPBE_TEST_KAFKA_USERNAME/PASSWORD)."""
    out = subprocess.run([str(SERVICES_SH), "start"], check=True, capture_output=True, text=True)
    env = dict(
        line.removeprefix("export ").split("=", 1)
        for line in out.stdout.splitlines()
        if line.startswith("export ")
    )
    return env


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    server = make_url(server_url)
    name = f"spbe_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(admin, name)
        admin.dispose()


def drop_database(admin: Engine, name: str, attempts: int = 20) -> None:
    """An autovacuum worker (a superuser backend) may hold the database after a bulk load: FORCE
    cannot end it as a plain role, so wait for it to leave."""
    for attempt in range(attempts):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            return
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)


def publish_stream(bus: KafkaBus, events: list[Event]) -> float:
    producer = bus.producer()
    started = time.perf_counter()
    publish(producer, events)
    producer.flush()
    elapsed = time.perf_counter() - started
    producer.close()
    return elapsed


def raw_consume(settings: InventorySettings, topic: str, expected: int) -> float:
    """Plain kafka-python: read every record of the topic once, no decoding, no database."""
    consumer = KafkaConsumer(**client_config(settings), enable_auto_commit=False)
    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    seen, started = 0, time.perf_counter()
    while seen < expected:
        batches = consumer.poll(timeout_ms=1000, max_records=1000)
        seen += sum(len(records) for records in batches.values())
    elapsed = time.perf_counter() - started
    consumer.close()
    return elapsed


def worker(
    index: int,
    settings: InventorySettings,
    prefix: str,
    batch: int,
    start: Any,
    stop: Any,
    results: Any,
    profile_dir: str | None,
    gc_default: bool,
) -> None:
    """One inventory consumer of the group: set up, wait until every member is, then fold
    batches until told to stop; reports its first batch's time and its CPU."""
    engine = make_engine(settings.database_url)
    bus = KafkaBus(settings, topic_prefix=prefix)
    consumer = InventoryConsumer(
        engine, bus, group_id=f"{prefix}inventory", batch_size=batch, poll_timeout_s=0.2
    )
    if not gc_default:
        heap.settle()  # as `spbe consume` does once its consumer is built
    start.wait()  # the members join together: one rebalance, not one per late member
    profiler = cProfile.Profile() if profile_dir else None
    first = None
    cpu0 = time.process_time()
    if profiler:
        profiler.enable()
    while not stop.is_set():
        if consumer.step() is not None and first is None:
            first = time.time()
    if profiler:
        profiler.disable()
        profiler.dump_stats(f"{profile_dir}/consumer-{index}.prof")
    results.put((index, first, time.process_time() - cpu0))
    consumer.close()
    engine.dispose()


def processed(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM processed_event")).scalar_one())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", help="host:port of a broker; default: start the local one")
    parser.add_argument("--database-url", help="PostgreSQL server URL; default: the local one")
    parser.add_argument("--scopes", type=int, default=5)
    parser.add_argument("--hosts", type=int, default=4000)
    parser.add_argument("--scans", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--consumers", type=int, default=1, help="consumers in the group")
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--profile", action="store_true", help="cProfile each consumer")
    parser.add_argument(
        "--gc-default", action="store_true", help="consumers do not settle the garbage collector"
    )
    args = parser.parse_args()
    bootstrap, server_url = args.bootstrap, args.database_url
    login = {
        k: os.environ.get(k, "") for k in ("SPBE_TEST_KAFKA_USERNAME", "SPBE_TEST_KAFKA_PASSWORD")
    }
    if not (bootstrap and server_url):
        local = local_servers()
        bootstrap = bootstrap or local["SPBE_TEST_KAFKA_BOOTSTRAP"]
        server_url = server_url or local["SPBE_TEST_DATABASE_URL"]
        login = {k: login[k] or local.get(k, "") for k in login}

    workload = {"scopes": args.scopes, "hosts": args.hosts, "scans": args.scans, "absent_every": 0}
    events = list(scan_stream(**workload))
    prefix = f"bench.{uuid.uuid4().hex[:8]}."
    with fresh_database(server_url) as database_url:
        settings = InventorySettings(
            bus=BusBackend.KAFKA,
            kafka_bootstrap_servers=bootstrap,
            database_url=database_url,
            kafka_security_protocol="SASL_PLAINTEXT",  # the broker requires a login
            kafka_username=login["SPBE_TEST_KAFKA_USERNAME"],
            kafka_password=login["SPBE_TEST_KAFKA_PASSWORD"],
            kafka_partitions=args.partitions,
        )
        bus = KafkaBus(settings, topic_prefix=prefix)
        bus.ensure_topics([Topic.EVENTS.value, Topic.DEAD_LETTER.value])
        engine = make_engine(database_url)
        migrate.upgrade(engine)
        register_opd(engine, opd_codes(args.scopes))
        spawn = mp.get_context("spawn")
        results, stop = spawn.Queue(), spawn.Event()
        start = spawn.Barrier(args.consumers + 1)
        profile_dir = tempfile.mkdtemp(prefix="spbe-bench-") if args.profile else None
        workers = [
            spawn.Process(
                target=worker,
                args=(
                    i,
                    settings,
                    prefix,
                    args.batch,
                    start,
                    stop,
                    results,
                    profile_dir,
                    args.gc_default,
                ),
            )
            for i in range(args.consumers)
        ]
        try:
            publish_s = publish_stream(bus, events)
            raw_s = raw_consume(settings, prefix + Topic.EVENTS.value, len(events))
            for process in workers:
                process.start()
            start.wait(timeout=120)
            while processed(engine) < len(events):
                time.sleep(0.05)
            done = time.time()
            stop.set()
            reports = [results.get(timeout=120) for _ in workers]
            for process in workers:
                process.join(timeout=60)
            firsts = [first for _, first, _ in reports if first is not None]
            ingest_s = done - min(firsts)
            cpu = sum(cpu_s for _, _, cpu_s in reports)
            found = check(engine, **workload)
        finally:
            stop.set()
            for process in workers:
                if process.is_alive():
                    process.kill()
            engine.dispose()
            admin = KafkaAdminClient(**client_config(settings))
            admin.delete_topics([t for t in admin.list_topics() if t.startswith(prefix)])
            admin.close()

    if profile_dir:
        for name in sorted(os.listdir(profile_dir)):
            print(f"== profile of {name}", file=sys.stderr)
            stats = pstats.Stats(f"{profile_dir}/{name}", stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(25)
            stats.sort_stats("tottime").print_stats(15)
    raw_rate, e2e_rate = len(events) / raw_s, len(events) / ingest_s
    print(f"load_average={' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"events={len(events)}")
    print(f"consumers={args.consumers}")
    print(f"assets={found['assets']}")
    print(f"publish_per_s={len(events) / publish_s:.0f}")
    print(f"ingest_s={ingest_s:.2f}")
    print(f"cpu_s={cpu:.2f}")
    print(f"events_per_cpu_s={len(events) / cpu:.0f}")
    print(f"raw_consume_per_s={raw_rate:.0f}")
    print(f"events_per_s={e2e_rate:.0f}")
    print(f"ratio={e2e_rate / raw_rate:.3f}")


if __name__ == "__main__":
    main()
