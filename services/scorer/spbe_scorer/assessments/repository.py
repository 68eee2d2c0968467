"""All SQL of manual assessments and their history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from spbe_scorer.tables import ASSESSMENT, ASSESSMENT_HISTORY

A = ASSESSMENT.c
H = ASSESSMENT_HISTORY.c


def list_assessments(
    conn: Connection, framework: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    where = [A.framework == framework] if framework else []
    query = select(ASSESSMENT).where(*where).order_by(A.framework, A.id).limit(limit).offset(offset)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    count = conn.execute(select(func.count()).select_from(ASSESSMENT).where(*where)).scalar_one()
    return rows, int(count)


def for_framework(conn: Connection, framework: str) -> list[dict[str, Any]]:
    query = select(ASSESSMENT).where(A.framework == framework).order_by(A.id)
    return [dict(r) for r in conn.execute(query).mappings()]


def by_id(conn: Connection, assessment_id: int, *, lock: bool = False) -> dict[str, Any] | None:
    """`lock`: hold the row until the transaction ends (FOR UPDATE on PostgreSQL; SQLite's
    writing transaction already holds the database's write lock)."""
    query = select(ASSESSMENT).where(A.id == assessment_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def by_indicator(conn: Connection, framework: str, indicator: str) -> dict[str, Any] | None:
    query = select(ASSESSMENT).where(A.framework == framework, A.indicator == indicator)
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def insert_one(conn: Connection, row: dict[str, Any]) -> int:
    return int(conn.execute(insert(ASSESSMENT).returning(A.id), row).scalar_one())


def update_one(conn: Connection, assessment_id: int, values: dict[str, Any]) -> None:
    """Sets only the columns in `values`: a concurrent change of another field is kept."""
    conn.execute(update(ASSESSMENT).where(A.id == assessment_id).values(values))


def delete_one(conn: Connection, assessment_id: int) -> None:
    conn.execute(delete(ASSESSMENT).where(A.id == assessment_id))


def insert_history(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(ASSESSMENT_HISTORY), row)


def history_of(
    conn: Connection, assessment_id: int, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Oldest first: the order the changes were made in."""
    where = H.assessment_id == assessment_id
    query = select(ASSESSMENT_HISTORY).where(where).order_by(H.id).limit(limit).offset(offset)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    count = conn.execute(select(func.count()).select_from(ASSESSMENT_HISTORY).where(where))
    return rows, int(count.scalar_one())
