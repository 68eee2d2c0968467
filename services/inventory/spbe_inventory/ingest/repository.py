"""SQL of ingestion bookkeeping: processed ids, rejected events, scans."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, false, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from spbe_common.auth import Principal
from spbe_inventory.bulk import Bulk
from spbe_inventory.listing_repository import Page, Rows, equal_to, list_page

from .models import ProcessedEvent, RejectedEvent, Scan, ScanRequest

PROCESSED = ProcessedEvent.__table__  # type: ignore[attr-defined]
REJECTED = RejectedEvent.__table__  # type: ignore[attr-defined]
SCAN = Scan.__table__  # type: ignore[attr-defined]
SCAN_REQUEST = ScanRequest.__table__  # type: ignore[attr-defined]
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
FINISHED_COLUMNS = (
    "status",
    "finished_at",
    "hosts_up",
    "marked_missing",
    "chunks_total",
    "chunks_failed",
    "error",
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
    bulk.insert(PROCESSED, ("event_id", "processed_at"), [(i, stamp) for i in event_ids])


def store_rejected(conn: Connection, rows: list[dict[str, Any]]) -> None:
    _insert_ignoring_conflicts(conn, REJECTED, rows)


def scan_opd(conn: Connection, scan_ids: Sequence[str]) -> dict[str, str]:
    query = select(SCAN.c.scan_id, SCAN.c.opd_code).where(SCAN.c.scan_id.in_(list(scan_ids)))
    return {scan_id: opd for scan_id, opd in conn.execute(query)}


def start_scans(conn: Connection, rows: list[dict[str, Any]]) -> None:
    _insert_ignoring_conflicts(conn, SCAN, rows)


def finish_scan(conn: Connection, row: dict[str, Any]) -> None:
    _insert_ignoring_conflicts(conn, SCAN, [row])
    values = {k: row[k] for k in FINISHED_COLUMNS if k in row}
    conn.execute(update(SCAN).where(SCAN.c.scan_id == row["scan_id"]).values(values))


# --- scan requests and the scan pages ----------------------------------------------------------
SCAN_RESULT_COLUMNS = (*SCAN_COLUMNS, "chunks_total", "chunks_failed", "error")


def latest_scans(conn: Connection, principal: Principal) -> Rows:
    """The newest scan of each scope whose newest scan is of the principal's OPD, by scope."""
    newest = (
        select(SCAN.c.scope, func.max(SCAN.c.started_at).label("started_at"))
        .group_by(SCAN.c.scope)
        .subquery()
    )
    query = (
        select(*(SCAN.c[n] for n in SCAN_RESULT_COLUMNS))
        .join(
            newest,
            (SCAN.c.scope == newest.c.scope) & (SCAN.c.started_at == newest.c.started_at),
        )
        .where(principal.where(SCAN.c.opd_code))
        .order_by(SCAN.c.scope)
    )
    rows: dict[str, dict[str, Any]] = {}
    for row in conn.execute(query).mappings():
        rows.setdefault(row["scope"], dict(row))  # two scans started in the same instant: one
    return list(rows.values())


def scan_result(conn: Connection, principal: Principal, scan_id: str) -> dict[str, Any] | None:
    query = select(*(SCAN.c[n] for n in SCAN_RESULT_COLUMNS)).where(
        SCAN.c.scan_id == scan_id, principal.where(SCAN.c.opd_code)
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def scan_request(conn: Connection, principal: Principal, request_id: str) -> dict[str, Any] | None:
    query = select(SCAN_REQUEST).where(
        SCAN_REQUEST.c.request_id == request_id, principal.where(SCAN_REQUEST.c.opd_code)
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def running_scan(conn: Connection, scope: str, since: datetime) -> str | None:
    """A scan of the scope started since `since` and not finished."""
    query = select(SCAN.c.scan_id).where(
        SCAN.c.scope == scope, SCAN.c.status == "running", SCAN.c.started_at >= since
    )
    return conn.execute(query.order_by(SCAN.c.started_at.desc()).limit(1)).scalar()


def waiting_request(conn: Connection, scope: str, since: datetime) -> str | None:
    """A request for the scope made since `since`, delivered, whose scan has not started."""
    started = select(SCAN.c.scan_id).where(SCAN.c.scan_id == SCAN_REQUEST.c.request_id)
    query = select(SCAN_REQUEST.c.request_id).where(
        SCAN_REQUEST.c.scope == scope,
        SCAN_REQUEST.c.requested_at >= since,
        SCAN_REQUEST.c.undelivered.is_(False),
        ~started.exists(),
    )
    return conn.execute(query.order_by(SCAN_REQUEST.c.requested_at.desc()).limit(1)).scalar()


def add_scan_request(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(SCAN_REQUEST).values(**row, undelivered=False))


def mark_undelivered(conn: Connection, request_id: str) -> None:
    query = update(SCAN_REQUEST).where(SCAN_REQUEST.c.request_id == request_id)
    conn.execute(query.values(undelivered=True))
