"""Fixtures of the inventory API tests: a real SQLite catalogue built by the migrations.

Every test gets its own database file, migrated with `spbe_inventory.migrate.upgrade` (never
`create_all`), and a TestClient over `create_app(settings, engine)`. Scan data is folded in through
the real ingestion path (`ingest.service.ingest`) from CloudEvents-encoded records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from harness import bearer, grant, migrated_engine
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, select
from synthetic import register_scan_opds

from spbe_common.bus import Record
from spbe_common.events import Event, to_binary
from spbe_inventory.api.app import create_app
from spbe_inventory.history.service import HISTORY
from spbe_inventory.ingest.metrics import IngestMetrics
from spbe_inventory.ingest.service import BatchResult, ingest
from spbe_inventory.settings import InventorySettings


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty catalogue in a file of its own."""
    engine = migrated_engine(tmp_path / "inv.db")
    yield engine
    engine.dispose()


@pytest.fixture
def registry() -> CollectorRegistry:
    """The registry the consumer's metrics live on, shared with /metrics as at start-up."""
    registry = CollectorRegistry()
    IngestMetrics(registry)
    return registry


@pytest.fixture
def client(tmp_path: Path, engine: Engine, registry: CollectorRegistry) -> Iterator[TestClient]:
    app = create_app(InventorySettings(data_dir=tmp_path), engine, registry)
    # an admin's token: access control has tests of its own (test_access_control.py)
    headers = bearer(grant(engine))
    with TestClient(app, raise_server_exceptions=False, headers=headers) as client:  # a 500 too
        yield client


def records_of(events: Iterable[Event], topic: str = "spbe.test") -> list[Record]:
    """Events as the bus delivers them: CloudEvents binary mode, consecutive offsets."""
    out = []
    for offset, event in enumerate(events):
        headers, value = to_binary(event)
        out.append(Record(topic, 0, offset, event.key(), value, headers))
    return out


@pytest.fixture
def ingest_records(engine: Engine) -> Callable[[list[Record]], BatchResult]:
    """Fold bus records in as the consumer does: one transaction per batch."""

    def run(records: list[Record]) -> BatchResult:
        with engine.begin() as conn:
            return ingest(conn, records)

    return run


@pytest.fixture
def ingest_events(
    engine: Engine, ingest_records: Callable[[list[Record]], BatchResult]
) -> Callable[[Iterable[Event]], BatchResult]:
    """Fold events in through the real decode -> handler path, after registering the OPD that
    the scans among them belong to (scans of an unknown OPD are set aside)."""

    def run(events: Iterable[Event]) -> BatchResult:
        events = list(events)
        register_scan_opds(engine, events)
        return ingest_records(records_of(events))

    return run


@pytest.fixture
def history_of(engine: Engine) -> Callable[[str, int], list[dict[str, Any]]]:
    """The change log of one record, oldest first, read straight from its table."""

    def rows(entity: str, entity_id: int) -> list[dict[str, Any]]:
        query = (
            select(HISTORY)
            .where(HISTORY.c.entity == entity, HISTORY.c.entity_id == entity_id)
            .order_by(HISTORY.c.id)
        )
        with engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    return rows
