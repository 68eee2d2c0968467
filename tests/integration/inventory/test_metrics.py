"""/metrics of the real inventory (SQLite and PostgreSQL): the quality gauges per OPD against the
catalogue, the consumer's counters after events went through the real consumer and embedded log,
the consumer lag on that log, HTTP requests by route template, and `promtool check metrics`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from harness import bearer, grant
from integration.promtool import check_metrics
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine
from synthetic import register_opd

from spbe_common.bus import EmbeddedBus, publish
from spbe_common.events import Event, EventType, Topic, new_event, to_binary
from spbe_common.events.enums import ScanStatus
from spbe_common.events.payloads import (
    ApplicationObserved,
    AssetObserved,
    ScanCompleted,
    ScanScope,
    ScanStarted,
    TlsCertificate,
)
from spbe_inventory import migrate
from spbe_inventory.api.app import create_app
from spbe_inventory.db import make_engine
from spbe_inventory.ingest.consumer import InventoryConsumer
from spbe_inventory.ingest.metrics import LAG_EVERY_S, IngestMetrics
from spbe_inventory.settings import InventorySettings

NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=60)  # older than SPBE_QUALITY_UNSEEN_DAYS (30)
DINKES = ScanScope(key="dinkes-lan", opd="DINKES", ranges=["127.10.0.0/24"])
DISHUB = ScanScope(key="dishub-lan", opd="DISHUB", ranges=["127.11.0.0/24"])


@dataclass
class Inventory:
    engine: Engine
    bus: EmbeddedBus
    consumer: InventoryConsumer
    client: TestClient
    registry: CollectorRegistry
    clock: list[float]

    def publish(self, events: list[Event]) -> None:
        producer = self.bus.producer()
        publish(producer, events)
        producer.close()

    def scrape(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        response = self.client.get("/metrics")
        assert response.status_code == 200
        return {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples
        }


def value(samples: dict, name: str, **labels: str) -> float | None:  # type: ignore[type-arg]
    return samples.get((name, tuple(sorted(labels.items()))))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/inv.db"
    return str(request.getfixturevalue("fresh_database_url"))


@pytest.fixture
def inventory(tmp_path: Path, database_url: str) -> Iterator[Inventory]:
    settings = InventorySettings(data_dir=tmp_path, database_url=database_url, quality_cache_s=0)
    engine = make_engine(settings.db_url)
    migrate.upgrade(engine)
    register_opd(engine, ["DINKES", "DISHUB", "BAPPEDA"])
    bus, registry, clock = EmbeddedBus(tmp_path / "events.db"), CollectorRegistry(), [0.0]
    consumer = InventoryConsumer(
        engine,
        bus,
        group_id="inventory",
        batch_size=3,
        poll_timeout_s=0.01,
        metrics=IngestMetrics(registry, clock=lambda: clock[0]),
    )
    app = create_app(settings, engine, registry)
    with TestClient(app, headers=bearer(grant(engine))) as client:
        yield Inventory(engine, bus, consumer, client, registry, clock)
    consumer.close()
    engine.dispose()


def scan(scope: ScanScope, at: datetime, hosts: list[str], status: ScanStatus) -> list[Event]:
    scan_id = f"{scope.key}-{at:%Y%m%d}"
    common = {"source": "spbe-test", "scan_id": scan_id, "scope": scope.key}
    started = ScanStarted(scan_id=scan_id, scope=scope, profile="discovery", started_at=at)
    seen = [
        new_event(EventType.ASSET_OBSERVED, AssetObserved(addresses=[a]), time=at, **common)
        for a in hosts
    ]
    done = ScanCompleted(
        scan_id=scan_id,
        scope=scope,
        profile="discovery",
        status=status,
        started_at=at,
        finished_at=at + timedelta(minutes=5),
        hosts_up=len(hosts),
    )
    return [
        new_event(EventType.SCAN_STARTED, started, time=at, **common),
        *seen,
        new_event(EventType.SCAN_COMPLETED, done, time=at + timedelta(minutes=5), **common),
    ]


def probe(url: str, reachable: bool, not_after: datetime | None = None) -> Event:
    tls = TlsCertificate(subject="CN=x", issuer="CN=ca", not_after=not_after) if not_after else None
    data = ApplicationObserved(url=url, reachable=reachable, tls=tls)  # type: ignore[arg-type]
    return new_event(EventType.APPLICATION_OBSERVED, data, source="spbe-test", time=NOW)


def declare(client: TestClient, path: str, body: dict[str, object]) -> int:
    response = client.post(path, json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def build_catalogue(inv: Inventory) -> None:
    """DINKES: 2 hosts last seen 60 days ago by a complete scan. DISHUB: 1 host seen now (a
    partial scan after a complete one 60 days ago), a declared UPS with owner and register facts
    linked to an application that does not answer, a declared PC without either, and an
    application whose certificate ends in 10 days."""
    inv.publish(scan(DINKES, OLD, ["127.10.0.1", "127.10.0.2"], ScanStatus.COMPLETE))
    inv.publish(scan(DISHUB, OLD, [], ScanStatus.COMPLETE))
    inv.publish(scan(DISHUB, NOW - timedelta(hours=1), ["127.11.0.1"], ScanStatus.PARTIAL))
    inv.consumer.drain()
    ups = declare(
        inv.client,
        "/api/v1/assets",
        {"name": "UPS ruang server", "kind": "power", "opd_code": "DISHUB", "owner": "Bidang TI"}
        | {"procurement_year": 2021, "condition": "baik"},
    )
    declare(inv.client, "/api/v1/assets", {"name": "PC loket", "opd_code": "DISHUB"})
    app = {"opd_code": "DISHUB", "urls": ["https://simpeg.example.test/"], "asset_ids": [ups]}
    declare(inv.client, "/api/v1/applications", {"name": "SIMPEG"} | app)
    declare(
        inv.client,
        "/api/v1/applications",
        {"name": "e-Kinerja", "opd_code": "DISHUB", "urls": ["https://kinerja.example.test/"]},
    )
    inv.publish(
        [
            probe("https://simpeg.example.test/", reachable=False),
            probe("https://kinerja.example.test/", True, NOW + timedelta(days=10)),
        ]
    )
    inv.consumer.drain()


def test_quality_gauges_per_opd_match_the_catalogue(inventory: Inventory) -> None:
    build_catalogue(inventory)
    m = inventory.scrape()
    assets = "spbe_inventory_assets"
    assert value(m, assets, opd="DINKES", kind="other", lifecycle="active") == 2
    assert value(m, assets, opd="DISHUB", kind="other", lifecycle="active") == 2  # host + PC
    assert value(m, assets, opd="DISHUB", kind="power", lifecycle="active") == 1
    expected = {  # metric: (DINKES, DISHUB, BAPPEDA)
        "spbe_inventory_assets_unseen": (2, 0, 0),
        "spbe_inventory_assets_without_owner": (2, 2, 0),
        "spbe_inventory_assets_without_application": (2, 2, 0),
        "spbe_inventory_review_unreviewed": (2, 1, 0),
        "spbe_inventory_applications_down": (0, 1, 0),
        "spbe_inventory_certificates_expiring": (0, 1, 0),
    }
    for name, counts in expected.items():
        got = tuple(value(m, name, opd=opd) for opd in ("DINKES", "DISHUB", "BAPPEDA"))
        assert got == counts, name
    ratio = "spbe_inventory_assets_lifecycle_data_ratio"
    assert value(m, ratio, opd="DINKES") == 0
    assert value(m, ratio, opd="DISHUB") == pytest.approx(1 / 3)
    assert value(m, ratio, opd="BAPPEDA") is None, "no active assets: no share"
    age = "spbe_inventory_scope_last_complete_scan_age_seconds"
    # the complete scan ended 5 min after OLD; NOW was taken when the tests were collected, which
    # in a full run is many minutes before this test: measure the age from the clock here
    sixty_days = (datetime.now(UTC) - OLD - timedelta(minutes=5)).total_seconds()
    assert value(m, age, scope="dinkes-lan") == pytest.approx(sixty_days, abs=180)
    assert value(m, age, scope="dishub-lan") == pytest.approx(sixty_days, abs=180), (
        "a partial scan is not complete"
    )


def test_ingestion_counters_after_the_real_consumer(inventory: Inventory) -> None:
    events = scan(DINKES, NOW, ["127.10.0.1", "127.10.0.2"], ScanStatus.COMPLETE)
    stranger = ScanScope(key="x-lan", opd="NOBODY", ranges=["127.12.0.0/24"])
    inventory.publish([*events, events[1], *scan(stranger, NOW, [], ScanStatus.COMPLETE)])
    headers, _ = to_binary(events[1])
    producer = inventory.bus.producer()
    producer.send(Topic.EVENTS.value, None, b"{not json", headers)
    producer.close()
    inventory.consumer.drain()
    m = inventory.scrape()
    observed = {"type": "asset.observed"}
    assert value(m, "spbe_inventory_events_consumed_total", **observed) == 4
    assert value(m, "spbe_inventory_events_applied_total", **observed) == 2
    assert value(m, "spbe_inventory_events_duplicate_total", **observed) == 1
    rejected = "spbe_inventory_events_rejected_total"
    assert value(m, rejected, type="asset.observed", reason="invalid") == 1
    assert value(m, rejected, type="scan.started", reason="unknown_opd") == 1
    assert value(m, "spbe_inventory_dead_letters_total", reason="unknown_opd") == 2
    assert value(m, "spbe_inventory_dead_letters_total", reason="invalid") == 1
    assert value(m, "spbe_inventory_batch_size_sum") == 8
    assert value(m, "spbe_inventory_batch_size_count") == 3
    assert value(m, "spbe_inventory_batch_failures_total") == 0


def test_consumer_lag_on_the_embedded_log(inventory: Inventory) -> None:
    register = scan(DINKES, NOW, [f"127.10.0.{i}" for i in range(1, 6)], ScanStatus.COMPLETE)
    inventory.publish(register)  # 7 records, batches of 3
    labels = {"topic": Topic.EVENTS.value, "partition": "0"}
    inventory.consumer.step()  # read after the poll, before the batch is committed
    assert value(inventory.scrape(), "spbe_inventory_consumer_lag", **labels) == 7
    inventory.consumer.step()  # within LAG_EVERY_S: not read again
    assert value(inventory.scrape(), "spbe_inventory_consumer_lag", **labels) == 7
    inventory.clock[0] += LAG_EVERY_S
    inventory.consumer.step()
    assert value(inventory.scrape(), "spbe_inventory_consumer_lag", **labels) == 1
    inventory.consumer.drain()
    inventory.clock[0] += LAG_EVERY_S
    inventory.consumer.step()
    assert value(inventory.scrape(), "spbe_inventory_consumer_lag", **labels) == 0


def test_http_requests_by_route_template_and_promtool_accepts_the_output(
    inventory: Inventory,
) -> None:
    build_catalogue(inventory)
    inventory.client.get("/api/v1/assets/1")
    inventory.client.get("/api/v1/assets/987654")
    inventory.client.get("/tidak-ada")
    response = inventory.client.get("/metrics")
    m = inventory.scrape()
    route = {"service": "inventory", "route": "/api/v1/assets/{asset_id}", "method": "GET"}
    assert value(m, "spbe_http_requests_total", **route, status="200") == 1
    assert value(m, "spbe_http_requests_total", **route, status="404") == 1
    unmatched = {"service": "inventory", "route": "unmatched", "method": "GET", "status": "404"}
    assert value(m, "spbe_http_requests_total", **unmatched) == 1
    assert "987654" not in response.text
    check_metrics(response.text)
