"""SQL of ingestion bookkeeping: processed ids, rejected events, scans."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, false, select, update
from sqlalchemy.dialects import postgresql, sqlite

from spbe_common.auth import Principal
from spbe_inventory.bulk import Bulk
from spbe_inventory.listing_repository import Page, Rows, equal_to, list_page

from .models import ProcessedEvent, RejectedEvent, Scan

PROCESSED = ProcessedEvent.__table__  # type: ignore[attr-defined]
REJECTED = RejectedEvent.__table__  # type: ignore[attr-defined]
SCAN = Scan.__table__  # type: ignore[attr-defined]
SCAN_COLUMNS = (
    "scan_id",
    "scope",
    "opd_code",
    "ranges",
    "profile",
    "status",
    "started_at",
    "finished_at",
    "hosts_up",
    "marked_missing",
)
REJECTED_COLUMNS = (
    "id",
    "topic",
    "partition",
    "offset",
    "event_id",
    "event_type",
    "reason",
    "rejected_at",
)


def scans_page(
    conn: Connection, principal: Principal, page: Page, scope: str | None
) -> tuple[Rows, int]:
    """Scans of the scopes of the principal's OPD, newest first unless sorted otherwise."""
    where = [principal.where(SCAN.c.opd_code), *equal_to(SCAN, {"scope": scope or None})]
    page = Page(page.limit, page.offset, page.sort or "-started_at")
    return list_page(conn, SCAN, SCAN_COLUMNS, where, page, ("started_at", "scope", "status"))


def rejected_page(conn: Connection, principal: Principal, page: Page) -> tuple[Rows, int]:
    """Events set aside hold any OPD's raw data, so an OPD-scoped principal sees none."""
    where = [] if principal.opd_codes is None else [false()]
    return list_page(conn, REJECTED, REJECTED_COLUMNS, where, page, ("id", "rejected_at"))


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
