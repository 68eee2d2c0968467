"""The inventory on real Kafka and real PostgreSQL, for the crash, fault and end-to-end tests.

Each test gets its own topic prefix (KafkaBus(topic_prefix=...)), consumer groups and database,
so tests never read each other's events. The `spbe consume` process cannot take a prefix yet
(no setting), so it reads the contract's own topics from a group first moved to their end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from integration.conftest import kafka_client, kafka_user
from kafka import KafkaAdminClient, KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.errors import KafkaError
from sqlalchemy import Engine, text
from synthetic import register_opd

from spbe_common.bus import publish
from spbe_common.bus.kafka import KafkaBus
from spbe_common.events import Event, Topic
from spbe_common.settings import BusBackend
from spbe_inventory import migrate
from spbe_inventory.db import make_engine
from spbe_inventory.ingest.consumer import InventoryConsumer
from spbe_inventory.ingest.metrics import IngestMetrics
from spbe_inventory.settings import InventorySettings

Offsets = dict[int, int]  # partition -> next offset
Snapshot = dict[str, list[tuple[Any, ...]]]
PARTITIONS = 6


@dataclass
class KafkaInventory:
    """One catalogue (its own PostgreSQL database) fed by one consumer group."""

    settings: InventorySettings
    engine: Engine
    bus: KafkaBus
    consumers: list[InventoryConsumer] = field(default_factory=list)

    @property
    def group(self) -> str:
        return self.settings.consumer_group

    @property
    def events_topic(self) -> str:
        return self.bus.topic_prefix + Topic.EVENTS.value

    def consumer(
        self, batch_size: int | None = None, metrics: IngestMetrics | None = None
    ) -> InventoryConsumer:
        consumer = InventoryConsumer(
            self.engine,
            self.bus,
            group_id=self.group,
            batch_size=batch_size or self.settings.batch_size,
            poll_timeout_s=self.settings.poll_timeout_s,
            metrics=metrics,
        )
        self.consumers.append(consumer)
        return consumer

    def count(self, sql: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())

    def close(self) -> None:
        for consumer in self.consumers:
            consumer.close()
        self.engine.dispose()


def build(
    bootstrap: str, database_url: str, group: str, prefix: str = "", batch_size: int = 100
) -> KafkaInventory:
    """Migrate the database (never create_all) and create the prefixed topics, as the admin."""
    settings = InventorySettings(
        bus=BusBackend.KAFKA,
        kafka_bootstrap_servers=bootstrap,
        **kafka_user(),
        kafka_partitions=PARTITIONS,
        database_url=database_url,
        consumer_group=group,
        batch_size=batch_size,
        poll_timeout_s=0.2,
    )
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    register_opd(engine)  # the OPD of the synthetic scopes
    bus = KafkaBus(settings, topic_prefix=prefix)
    bus.ensure_topics([t.value for t in Topic])
    return KafkaInventory(settings, engine, bus)


def publish_all(bus: KafkaBus, events: Iterable[Event], chunk: int = 5000) -> int:
    """Publish with `spbe_common.bus.publish`, flushing (broker confirmation) every chunk."""
    producer = bus.producer()
    total, batch = 0, []
    try:
        for event in events:
            batch.append(event)
            if len(batch) == chunk:
                total += publish(producer, batch)
                producer.flush()
                batch = []
        total += publish(producer, batch)
        producer.flush()
    finally:
        producer.close()
    return total


def send_raw(
    bus: KafkaBus, records: Iterable[tuple[bytes | None, bytes, list[tuple[str, bytes]]]]
) -> None:
    producer = bus.producer()
    try:
        for key, value, headers in records:
            producer.send(Topic.EVENTS.value, key, value, headers)
        producer.flush()
    finally:
        producer.close()


def drop_topics(bootstrap: str, prefix: str) -> None:
    """Delete a test's prefixed topics: a 2-core broker should not carry every run's partitions."""
    admin = KafkaAdminClient(**kafka_client(bootstrap))
    try:
        mine = [t for t in admin.list_topics() if prefix and t.startswith(prefix)]
        if mine:
            admin.delete_topics(mine)
    finally:
        admin.close()


# --- offsets ------------------------------------------------------------------------------------


def _partitions(consumer: KafkaConsumer, topic: str) -> list[TopicPartition]:
    return [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]


def end_offsets(bootstrap: str, topic: str) -> Offsets:
    consumer = KafkaConsumer(**kafka_client(bootstrap))
    try:
        ends = consumer.end_offsets(_partitions(consumer, topic))
        return {tp.partition: offset for tp, offset in ends.items()}
    finally:
        consumer.close()


def committed(bootstrap: str, group: str, topic: str) -> Offsets:
    admin = KafkaAdminClient(**kafka_client(bootstrap))
    try:
        offsets = admin.list_group_offsets({group: None}).get(group, {})
    finally:
        admin.close()
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic}


def caught_up(bootstrap: str, group: str, topic: str, target: Mapping[int, int]) -> bool:
    try:
        done = committed(bootstrap, group, topic)
    except KafkaError as exc:  # e.g. the group's coordinator still moving after a restart
        if not exc.retriable:
            raise
        return False  # cannot tell yet: asked again by the caller's wait_until
    return all(done.get(p, 0) >= offset for p, offset in target.items() if offset > 0)


def start_group_at_end(bootstrap: str, group: str, topic: str) -> Offsets:
    """Commit the topic's end offsets for a new group: it reads only what is published next."""
    ends = end_offsets(bootstrap, topic)
    admin = KafkaAdminClient(**kafka_client(bootstrap))
    try:
        offsets = {TopicPartition(topic, p): OffsetAndMetadata(o, "", -1) for p, o in ends.items()}
        admin.alter_group_offsets(group, offsets)
    finally:
        admin.close()
    return ends


def wait_until(
    condition: Callable[[], bool], timeout_s: float, what: str, poll_s: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout_s:.0f}s waiting for {what}"
        time.sleep(poll_s)


def consume_until_caught_up(
    inventory: KafkaInventory, consumer: InventoryConsumer, target: Offsets, timeout_s: float = 120
) -> None:
    """Step the consumer until its group's committed offsets reach `target` (in this thread)."""
    bootstrap = inventory.settings.kafka_bootstrap_servers
    deadline = time.monotonic() + timeout_s
    while not caught_up(bootstrap, inventory.group, inventory.events_topic, target):
        assert time.monotonic() < deadline, f"group {inventory.group} did not catch up"
        for _ in range(20):
            consumer.step()


@dataclass
class BackgroundConsumer:
    """`InventoryConsumer.run(stop)` on a thread, as `spbe consume` runs it; errors are kept."""

    consumer: InventoryConsumer
    stop: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None
    where: str = ""

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, name="consumer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.consumer.run(self.stop)
        except BaseException as exc:  # the test reports it: the loop must not die on a fault
            self.error = exc
            self.where = "".join(traceback.format_exception(exc))

    def alive(self) -> bool:
        assert self.error is None, f"the consumer loop died: {self.error!r}\n{self.where}"
        return self.thread.is_alive()

    def join(self, timeout_s: float = 30) -> None:
        self.stop.set()
        self.thread.join(timeout_s)
        assert not self.thread.is_alive(), "the consumer did not stop"
        assert self.error is None, f"the consumer loop died: {self.error!r}"


def group_members(bootstrap: str, group: str) -> list[set[int]]:
    """Per member of the group, the partitions the coordinator assigned to it."""
    admin = KafkaAdminClient(**kafka_client(bootstrap))
    try:
        described = admin.describe_groups([group])[group]
    finally:
        admin.close()
    return [_assigned(m["member_assignment"]) for m in described["members"]]


def _assigned(assignment: Any) -> set[int]:
    if not isinstance(assignment, dict):  # '' while the group is still rebalancing
        return set()
    return {p for owned in assignment["assigned_partitions"] for p in owned["partitions"]}


# --- the broker (deploy/local/services.sh) ------------------------------------------------------

REPO = Path(__file__).resolve().parents[3]
SERVICES_SH = REPO / "deploy" / "local" / "services.sh"
KAFKA_PID_FILE = (
    Path(os.environ.get("SPBE_SERVICES_DIR", "/tmp/spbe-services")) / "kafka" / "kafka.pid"
)


def stop_broker(timeout_s: float = 40) -> None:
    """SIGTERM the broker that services.sh started (a clean shutdown, as an operator would)."""
    pid = int(KAFKA_PID_FILE.read_text().strip())
    os.kill(pid, signal.SIGTERM)
    wait_until(lambda: not Path(f"/proc/{pid}").exists(), timeout_s, "the broker to exit")


def start_broker(timeout_s: float = 150) -> None:
    """services.sh start is idempotent: it starts only what is stopped, and waits for it."""
    subprocess.run([str(SERVICES_SH), "start"], check=True, timeout=timeout_s, capture_output=True)


# --- the `spbe consume` process -----------------------------------------------------------------


def spbe_consume(settings: InventorySettings, batch_size: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SPBE_BUS": "kafka",
        "SPBE_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "SPBE_KAFKA_PARTITIONS": str(settings.kafka_partitions),
        "SPBE_KAFKA_SECURITY_PROTOCOL": settings.kafka_security_protocol.value,
        "SPBE_KAFKA_SASL_MECHANISM": settings.kafka_sasl_mechanism.value,
        "SPBE_KAFKA_USERNAME": settings.kafka_username or "",
        "SPBE_KAFKA_PASSWORD": settings.kafka_password.get_secret_value()
        if settings.kafka_password
        else "",
        "SPBE_DATABASE_URL": str(settings.database_url),
        "SPBE_CONSUMER_GROUP": settings.consumer_group,
        "SPBE_BATCH_SIZE": str(batch_size),
        "SPBE_POLL_TIMEOUT_S": "0.05",
    }
    return subprocess.Popen([sys.executable, "-m", "spbe_cli", "consume"], env=env)


# --- catalogue comparison -----------------------------------------------------------------------


# what `harness.catalogue_snapshot` compares, with "offset" quoted (a reserved word in PostgreSQL)
SNAPSHOT_QUERIES = {
    "asset": "SELECT id, name, kind, hostname, mac, serial, opd_code, address, addresses, os_guess,"
    " vendor, lifecycle, first_seen, last_seen, scope, last_scan_id, identity_rule, fingerprint,"
    " observed, declared, updated_at FROM asset",
    "service": "SELECT asset_id, port, protocol, name, product, version, first_seen, last_seen"
    " FROM service",
    "history": "SELECT entity, entity_id, action, before, after, cause_kind, cause_id, at"
    " FROM history",
    "scan": "SELECT scan_id, scope, status, hosts_up, marked_missing FROM scan",
    "processed": "SELECT event_id FROM processed_event",
    "rejected": 'SELECT topic, "offset", reason FROM rejected_event',
}


def stable_snapshot(engine: Engine) -> Snapshot:
    """Everything a run decides, with serial asset ids replaced by the asset's identity.

    PostgreSQL sequences skip the values of rolled-back transactions (a killed batch, a failed
    one) and partitions interleave differently run to run, so serial ids differ between runs
    that build the same catalogue.
    """
    with engine.connect() as conn:
        raw = {
            name: [tuple(r) for r in conn.execute(text(sql))]
            for name, sql in SNAPSHOT_QUERIES.items()
        }
        identity = {
            row.id: f"mac={row.mac} serial={row.serial} address={row.address}"
            for row in conn.execute(text("SELECT id, mac, serial, address FROM asset"))
        }
    raw["asset"] = [(identity[r[0]], *r[1:]) for r in raw["asset"]]
    raw["service"] = [(identity[r[0]], *r[1:]) for r in raw["service"]]
    raw["history"] = [
        (r[0], identity.get(r[1], r[1]) if r[0] == "asset" else r[1], *r[2:])
        for r in raw["history"]
    ]
    return {name: sorted(rows, key=repr) for name, rows in raw.items()}


def duplicate_history(engine: Engine) -> list[tuple[Any, ...]]:
    """History rows written twice for the same change and cause (a redelivery applied twice)."""
    sql = (
        "SELECT entity, entity_id, action, cause_kind, cause_id, count(*) FROM history"
        " GROUP BY entity, entity_id, action, cause_kind, cause_id HAVING count(*) > 1"
    )
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]
