"""All SQL of the evaluation workspace: periods, worksheets and the copy of documents."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from spbe_scorer.tables import DOCUMENT, PERIOD, WORKSHEET

P = PERIOD.c
W = WORKSHEET.c
D = DOCUMENT.c


def _one(conn: Connection, query: Any, lock: bool) -> dict[str, Any] | None:
    """`lock`: hold the row until the transaction ends (FOR UPDATE on PostgreSQL; SQLite's
    writing transaction already holds the database's write lock)."""
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def period(conn: Connection, period_id: int, lock: bool = False) -> dict[str, Any] | None:
    return _one(conn, select(PERIOD).where(P.id == period_id), lock)


def period_by_year(conn: Connection, year: int, framework: str) -> dict[str, Any] | None:
    return _one(conn, select(PERIOD).where(P.year == year, P.framework == framework), False)


def periods(conn: Connection) -> list[dict[str, Any]]:
    """Newest year first."""
    query = select(PERIOD).order_by(P.year.desc(), P.framework, P.id)
    return [dict(r) for r in conn.execute(query).mappings()]


def insert_period(conn: Connection, row: dict[str, Any]) -> int:
    return int(conn.execute(insert(PERIOD).returning(P.id), row).scalar_one())


def update_period(conn: Connection, period_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(PERIOD).where(P.id == period_id).values(values))


def worksheet(
    conn: Connection, period_id: int, indicator: str, lock: bool = False
) -> dict[str, Any] | None:
    query = select(WORKSHEET).where(W.period_id == period_id, W.indicator == indicator)
    return _one(conn, query, lock)


def worksheets(
    conn: Connection,
    period_id: int,
    opd: str | None = None,
    status: str | None = None,
    account: tuple[str, frozenset[str]] | None = None,
) -> list[dict[str, Any]]:
    """Framework order. `account` (name, own OPD): only the worksheets assigned to it (named
    accounts are a JSON list, filtered here rather than in SQL to stay portable)."""
    where = [W.period_id == period_id]
    if opd is not None:
        where.append(W.opd == opd)
    if status is not None:
        where.append(W.status == status)
    query = select(WORKSHEET).where(*where).order_by(W.position)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    if account is not None:
        name, own = account
        rows = [r for r in rows if r["opd"] in own or name in (r["accounts"] or [])]
    return rows


def insert_worksheets(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(WORKSHEET), list(rows))


def worksheet_ids(conn: Connection, period_id: int) -> dict[str, int]:
    query = select(W.indicator, W.id).where(W.period_id == period_id)
    return {r.indicator: r.id for r in conn.execute(query)}


def update_worksheet(conn: Connection, worksheet_id: int, values: dict[str, Any]) -> None:
    """Sets only the columns in `values`."""
    conn.execute(update(WORKSHEET).where(W.id == worksheet_id).values(values))


def status_counts(conn: Connection, period_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Worksheets per status of each period."""
    query = (
        select(W.period_id, W.status, func.count())
        .where(W.period_id.in_(list(period_ids)))
        .group_by(W.period_id, W.status)
    )
    counts: dict[int, dict[str, int]] = {}
    for period_id, status, count in conn.execute(query):
        counts.setdefault(period_id, {})[status] = int(count)
    return counts


def document_counts(conn: Connection, period_id: int) -> dict[str, int]:
    """Documents (not removed) per indicator of a period."""
    query = (
        select(D.indicator, func.count())
        .where(D.period_id == period_id, D.removed_at.is_(None))
        .group_by(D.indicator)
    )
    return {indicator: int(count) for indicator, count in conn.execute(query)}


def copy_documents(
    conn: Connection, source_id: int, target_id: int, indicators: Iterable[str]
) -> int:
    """New rows for `target_id` pointing at the same stored files (same sha256; who uploaded it and when kept), for the
    documents of `source_id` not removed and whose indicator is in `indicators`."""
    keep = list(indicators)
    query = (
        select(DOCUMENT)
        .where(D.period_id == source_id, D.removed_at.is_(None), D.indicator.in_(keep))
        .order_by(D.id)
    )
    rows = [
        {k: v for k, v in r.items() if k not in ("id", "removed_by", "removed_at")}
        | {"period_id": target_id}
        for r in conn.execute(query).mappings()
    ]
    if rows:
        conn.execute(insert(DOCUMENT), rows)
    return len(rows)


DOCUMENT_COLUMNS = (
    "id", "period_id", "indicator", "title", "filename", "media_type", "size", "sha256",
    "records", "uploaded_by", "uploaded_at",
)  # fmt: skip


def documents(
    conn: Connection, period_id: int, indicator: str | None = None
) -> list[dict[str, Any]]:
    """The documents of a period (of one indicator), not removed, oldest first."""
    where = [D.period_id == period_id, D.removed_at.is_(None)]
    if indicator is not None:
        where.append(D.indicator == indicator)
    query = select(*(D[c] for c in DOCUMENT_COLUMNS)).where(*where).order_by(D.id)
    return [dict(r) for r in conn.execute(query).mappings()]
