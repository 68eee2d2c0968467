"""SQL of ingestion bookkeeping: processed ids, rejected events, scans."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from spbe_inventory.bulk import Bulk

from .models import ProcessedEvent, RejectedEvent, Scan

PROCESSED = ProcessedEvent.__table__  # type: ignore[attr-defined]
REJECTED = RejectedEvent.__table__  # type: ignore[attr-defined]
SCAN = Scan.__table__  # type: ignore[attr-defined]


def _insert_ignoring_conflicts(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).on_conflict_do_nothing(), rows)


def already_processed(conn: Connection, event_ids: Sequence[str]) -> set[str]:
    bulk = Bulk(conn)
    sql = f"SELECT event_id FROM processed_event WHERE {bulk.in_list('event_id', 'ids')}"
    return {row[0] for row in bulk.fetch(sql, {"ids": bulk.list_param(event_ids)})}


def mark_processed(conn: Connection, event_ids: Sequence[str], at: datetime) -> None:
    bulk = Bulk(conn)
    stamp = bulk.ts(at)
    bulk.executemany(
        "INSERT INTO processed_event (event_id, processed_at) VALUES (:id, :at)",
        [{"id": event_id, "at": stamp} for event_id in event_ids],
    )


def store_rejected(conn: Connection, rows: list[dict[str, Any]]) -> None:
    _insert_ignoring_conflicts(conn, REJECTED, rows)


def scan_opd(conn: Connection, scan_ids: Sequence[str]) -> dict[str, str]:
    query = select(SCAN.c.scan_id, SCAN.c.opd_code).where(SCAN.c.scan_id.in_(list(scan_ids)))
    return {scan_id: opd for scan_id, opd in conn.execute(query)}


def start_scans(conn: Connection, rows: list[dict[str, Any]]) -> None:
    _insert_ignoring_conflicts(conn, SCAN, rows)


def finish_scan(conn: Connection, row: dict[str, Any]) -> None:
    _insert_ignoring_conflicts(conn, SCAN, [row])
    values = {k: row[k] for k in ("status", "finished_at", "hosts_up", "marked_missing")}
    conn.execute(update(SCAN).where(SCAN.c.scan_id == row["scan_id"]).values(values))
