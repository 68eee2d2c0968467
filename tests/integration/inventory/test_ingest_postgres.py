"""Ingestion writes one catalogue on both databases: PostgreSQL takes each batch's writes as
set-based statements (json_to_recordset), SQLite as prepared statements run row by row; the
rows they leave (assets, services, history, review queue) must be the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness import migrated_engine
from sqlalchemy import Engine, select
from synthetic import opd_codes, register_opd, scan_stream

from spbe_common.db import begin_write
from spbe_inventory import migrate
from spbe_inventory.assets.repository import ASSET, SERVICE
from spbe_inventory.db import make_engine
from spbe_inventory.history.service import HISTORY
from spbe_inventory.ingest.service import ingest
from spbe_inventory.review.models import AssetReview

from .conftest import records_of

REVIEW = AssetReview.__table__
# a new catalogue, repeat sightings (identity rule settles), drift of services, absences marked
# missing and seen again; batches of 37 cut scans and runs of one type apart
EVENTS = list(scan_stream(scopes=2, hosts=40, scans=4, absent_every=5))
BATCH = 37


def catalogue(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    register_opd(engine, opd_codes(2))
    records = records_of(EVENTS)
    for start in range(0, len(records), BATCH):
        with begin_write(engine) as conn:
            result = ingest(conn, records[start : start + BATCH])
        assert not result.rejected
    ordered = {
        "asset": (ASSET, ASSET.c.id, {"created_at"}),
        "service": (SERVICE, SERVICE.c.id, set()),
        "history": (HISTORY, HISTORY.c.id, set()),
        "review": (REVIEW, REVIEW.c.asset_id, {"discovered_at"}),
    }
    out = {}
    with engine.connect() as conn:
        for name, (table, order, skip) in ordered.items():
            rows = conn.execute(select(table).order_by(order)).mappings()
            out[name] = [{k: v for k, v in row.items() if k not in skip} for row in rows]
    return out


def test_postgres_writes_the_catalogue_sqlite_writes(
    tmp_path: Path, fresh_database_url: str
) -> None:
    postgres = make_engine(fresh_database_url)
    migrate.upgrade(postgres)
    sqlite = migrated_engine(tmp_path / "inv.db")
    try:
        expected, got = catalogue(sqlite), catalogue(postgres)
    finally:
        postgres.dispose()
        sqlite.dispose()
    assert len(expected["asset"]) == 80
    actions = {"created", "updated", "marked_missing", "reappeared"}
    assert {r["action"] for r in expected["history"]} == actions
    assert "new" not in {r["identity_rule"] for r in expected["asset"]}  # repeats moved it
    for name, rows in expected.items():
        assert got[name] == rows, name
