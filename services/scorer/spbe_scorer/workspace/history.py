"""The append-only history of worksheets: every step with the account that took it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, select

from spbe_scorer.db import utcnow
from spbe_scorer.tables import WORKSHEET_HISTORY

from .enums import WorksheetAction


def record(
    conn: Connection,
    worksheet_id: int,
    action: WorksheetAction,
    account: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """`detail`: JSON-ready values (levels as exact text, ids, comments)."""
    conn.execute(
        insert(WORKSHEET_HISTORY).values(
            worksheet_id=worksheet_id, action=action.value, detail=detail or {},
            account=account, at=utcnow(),
        )
    )  # fmt: skip


def of_worksheet(
    conn: Connection, worksheet_id: int, limit: int = 200, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """Oldest first."""
    table = WORKSHEET_HISTORY
    where = table.c.worksheet_id == worksheet_id
    rows = conn.execute(
        select(table).where(where).order_by(table.c.id).limit(limit).offset(offset)
    ).mappings()
    count = conn.execute(select(func.count()).select_from(table).where(where)).scalar_one()
    return [dict(r) for r in rows], count
