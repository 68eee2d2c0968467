"""Scheduled probes end to end on loopback: a scopes file with a `probes:` entry every 5 s, the
real scheduler of `spbe collect schedule` / `spbe up` in a thread (OPD codes checked by the real
inventory API), real HTTP and HTTPS servers on 127.0.0.x, application.observed on the embedded
log, spbe_collector_probes_total on the collector's /metrics, and the inventory's consumer
folding the probes into each application's `probe`."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from integration.collector.test_collector_metrics import (
    TLS_HOST,
    certificate,  # noqa: F401  (a fixture: the HTTPS server's short-lived certificate)
    free_port,
    https_port,  # noqa: F401  (a fixture: an HTTPS server on TLS_HOST)
    scrape,
)
from integration.promtool import check_metrics
from prometheus_client import CollectorRegistry
from sqlalchemy import text

from spbe_collector.metrics import DAY_S, CollectorMetrics
from spbe_collector.service import MetricsServer, build_scheduler, serve_metrics
from spbe_collector.settings import CollectorSettings
from spbe_common.bus import EmbeddedBus, publish
from spbe_common.events import Event, EventType, new_event
from spbe_common.events.payloads import ApplicationDeclared, ApplicationObserved
from spbe_inventory.db import make_engine
from spbe_inventory.ingest.consumer import InventoryConsumer
from spbe_inventory.settings import InventorySettings

pytestmark = pytest.mark.nmap
INTERVAL_S = 5


@pytest.fixture
def urls(http_port: int, https_port: int) -> dict[str, str]:  # noqa: F811
    return {
        "up": f"http://127.0.0.2:{http_port}/",
        "down": f"http://127.0.0.5:{free_port('127.0.0.5')}/",  # nobody listens
        "tls": f"https://{TLS_HOST}:{https_port}/",
        "outside": f"http://localhost:{http_port}/",  # 127.0.0.1: outside this test's allowlist
    }


@pytest.fixture
def collector(
    served_inventory,
    urls: dict[str, str],
    certificate: tuple[Path, Path],  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
) -> Iterator[CollectorSettings]:
    scopes = tmp_path / "scopes.yaml"
    probe_urls = json.dumps([urls["up"], urls["down"], urls["tls"], urls["outside"]])
    scopes.write_text(
        "scopes: []\n"
        "probes:\n"
        f"  - {{key: dinkes-web, opd: DINKES, interval: {INTERVAL_S}s, urls: {probe_urls}}}\n",
        encoding="utf-8",
    )
    yield CollectorSettings(
        data_dir=served_inventory.data_dir,  # the inventory's embedded log
        scopes_file=scopes,
        scan_allowlist=["127.0.0.2/32", "127.0.0.5/32", f"{TLS_HOST}/32"],
        inventory_url=served_inventory.url,
        inventory_token=served_inventory.token,
        probe_ca_bundle=certificate[0],
        probe_timeout_s=5,
        collector_metrics_port=free_port(),
    )


def _declare(settings: CollectorSettings, apps: dict[str, str]) -> None:
    events = [
        new_event(
            EventType.APPLICATION_DECLARED,
            ApplicationDeclared(name=name, opd="DINKES", urls=[url]),  # type: ignore[list-item]
            source="uji",
        )
        for name, url in apps.items()
    ]
    producer = EmbeddedBus(settings.log_path).producer()
    try:
        publish(producer, events)
    finally:
        producer.close()


def _wait_for(read: Callable[[], list[Event]], count: int, timeout_s: float) -> list[Event]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        observed = [e for e in read() if e.type == EventType.APPLICATION_OBSERVED]
        if len(observed) >= count:
            return observed
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} application.observed in {timeout_s}s")


def _probes_of(data_dir: Path) -> dict[str, dict[str, Any]]:
    inventory = InventorySettings(_env_file=None, data_dir=data_dir)
    engine = make_engine(inventory.db_url)
    try:
        consumer = InventoryConsumer(
            engine,
            EmbeddedBus(inventory.log_path),
            group_id="uji-probe",
            batch_size=100,
            poll_timeout_s=0.01,
        )
        consumer.drain()
        consumer.close()
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT name, probe FROM application WHERE name LIKE 'Uji %'"))
            return {
                name: probe if isinstance(probe, dict) else json.loads(probe)
                for name, probe in rows
            }
    finally:
        engine.dispose()


def test_the_scheduler_probes_every_interval_publishes_counts_and_the_inventory_folds(
    collector: CollectorSettings, urls: dict[str, str], read_events
) -> None:
    settings = collector
    _declare(settings, {"Uji Simpus": urls["up"], "Uji Mati": urls["down"], "Uji TLS": urls["tls"]})
    registry = CollectorRegistry()
    server = serve_metrics(settings, registry)
    assert isinstance(server, MetricsServer)
    stop = threading.Event()
    scheduler = build_scheduler(settings, CollectorMetrics(registry))
    thread = threading.Thread(target=scheduler.run_forever, args=(stop,), daemon=True)
    started = time.monotonic()
    thread.start()
    try:
        _wait_for(lambda: read_events(settings), 6, timeout_s=4 * INTERVAL_S)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert elapsed >= INTERVAL_S - 1  # the first round at once, the second after the interval

    observed = [e for e in read_events(settings) if e.type == EventType.APPLICATION_OBSERVED]
    rounds = len(observed) // 3
    assert rounds >= 2 and len(observed) == 3 * rounds  # up, down, tls; localhost never
    by_url: dict[str, list[bool]] = {}
    for event in observed:
        assert isinstance(event.data, ApplicationObserved)
        by_url.setdefault(str(event.data.url), []).append(event.data.reachable)
    assert by_url == {
        urls["up"]: [True] * rounds,
        urls["down"]: [False] * rounds,
        urls["tls"]: [True] * rounds,
    }
    assert (observed[3].time - observed[0].time).total_seconds() >= INTERVAL_S - 1

    text_, samples = scrape(settings)
    server.close()
    outcomes = {
        dict(labels)["outcome"]: value
        for (name, labels), value in samples.items()
        if name == "spbe_collector_probes_total"
    }
    # refused: the dead port and the skipped localhost (it resolves outside the allowlist)
    assert (outcomes["ok"], outcomes["refused"], outcomes["tls_error"]) == (
        2 * rounds,
        2 * rounds,
        0,
    )
    expiry = "spbe_collector_certificate_expires_in_seconds_bucket"
    buckets = {float(dict(ls)["le"]): v for (n, ls), v in samples.items() if n == expiry}
    assert (buckets[14 * DAY_S], buckets[30 * DAY_S]) == (0, rounds)  # 20 days left
    assert "127.0.0" not in text_ and "dinkes-web" not in text_  # bounded labels only
    check_metrics(text_)

    probes = _probes_of(settings.data_dir)
    assert probes["Uji Simpus"]["reachable"] is True
    assert probes["Uji Simpus"]["status_code"] == 200
    assert probes["Uji Mati"]["reachable"] is False
    assert probes["Uji TLS"]["reachable"] is True and probes["Uji TLS"]["tls_not_after"]
