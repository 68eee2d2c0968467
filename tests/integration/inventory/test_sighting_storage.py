"""How the catalogue's tables are laid out for repeat sightings, the bulk of ingestion
(migrations 0014 and 0015): on PostgreSQL a repeat sighting updates its asset and services in
place (heap-only tuples, no new index entries); a lookup by MAC uses the partial unique index,
the only index on the column, on both databases."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from harness import migrated_engine
from sqlalchemy import Engine, event, text
from synthetic import opd_codes, register_opd, scan_stream

from spbe_common.db import begin_write
from spbe_inventory import migrate
from spbe_inventory.assets.repository import find_candidates
from spbe_inventory.db import make_engine
from spbe_inventory.ingest.service import ingest

from .conftest import records_of

HOSTS = 200


def _ingest_rounds(engine: Engine, rounds: int) -> None:
    register_opd(engine, opd_codes(1))
    records = records_of(list(scan_stream(scopes=1, hosts=HOSTS, scans=rounds)))
    for start in range(0, len(records), 500):
        with begin_write(engine) as conn:
            assert not ingest(conn, records[start : start + 500]).rejected


def _updates(engine: Engine, table: str, expected: int) -> tuple[int, int]:
    """(updates, heap-only updates) of `table`, once the writers' statistics have arrived (each
    backend reports its own as it ends)."""
    query = text("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = :t")
    deadline = time.monotonic() + 30
    while True:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            updates, hot = conn.execute(query, {"t": table}).one()
        if updates >= expected or time.monotonic() > deadline:
            return int(updates), int(hot)
        time.sleep(0.2)


def test_repeat_sightings_update_rows_in_place_on_postgres(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            options = dict(
                conn.execute(
                    text(
                        "SELECT relname, reloptions FROM pg_class"
                        " WHERE relname IN ('asset', 'service')"
                    )
                ).all()
            )
        assert options == {"asset": ["fillfactor=50"], "service": ["fillfactor=50"]}
        # round 0 creates the hosts; rounds 1-3 see them again (round 2 on, some drift)
        _ingest_rounds(engine, 4)
        engine.dispose()  # the writers' backends end and report their statistics
        for table in ("asset", "service"):
            updates, hot = _updates(engine, table, 3 * HOSTS)
            assert updates >= 3 * HOSTS, (table, updates)
            # half the page free: 70 % heap-only (asset 422 of 600, service 842 of 1,200);
            # 15 % free, as migration 0014 left it: 28 % and 23 %
            assert hot / updates >= 0.6, (table, updates, hot)
    finally:
        engine.dispose()


def _candidate_sql(engine: Engine) -> tuple[str, object]:
    """The statement (and parameters) that loads the assets sharing a MAC, as ingestion sends it."""
    sent: list[tuple[str, object]] = []

    def keep(_c: Any, _cur: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().startswith("SELECT") and "FROM asset" in statement:
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        with begin_write(engine) as conn:
            find_candidates(conn, ["52:54:00:12:34:56"], [], [])
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    (found,) = sent
    return found


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_lookups_by_mac_use_the_unique_index(
    database: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if database == "sqlite":
        engine = migrated_engine(tmp_path / "inv.db")
    else:
        engine = make_engine(request.getfixturevalue("fresh_database_url"))
        migrate.upgrade(engine)
    try:
        sql, params = _candidate_sql(engine)
        with engine.connect() as conn:
            if database == "sqlite":
                plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
                steps = " | ".join(str(row[-1]) for row in plan)
            else:
                conn.exec_driver_sql(
                    "SET enable_seqscan = off"
                )  # an empty table: ask for index use
                plan = conn.exec_driver_sql(f"EXPLAIN {sql}", params).all()
                steps = " | ".join(row[0] for row in plan)
        assert "uq_asset_mac" in steps, steps
        assert "ix_asset_mac" not in steps
    finally:
        engine.dispose()
