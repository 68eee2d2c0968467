"""All SQL of register imports (and the OPD an account may import for)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from spbe_common.auth import Principal
from spbe_common.db import for_update
from spbe_inventory.opd.models import Opd

from .models import ImportStatus, RegisterImport

IMPORT = RegisterImport.__table__  # type: ignore[attr-defined]
OPD = Opd.__table__


def insert_one(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(IMPORT), row)


def of_account(conn: Connection, import_id: str, account: str) -> dict[str, Any] | None:
    """The import if this account uploaded it (locked for a writer), else None."""
    query = select(IMPORT).where(IMPORT.c.id == import_id, IMPORT.c.account == account)
    row = conn.execute(for_update(conn, query)).mappings().first()
    return dict(row) if row else None


def recent_of(conn: Connection, account: str, since: datetime, limit: int = 10) -> list[Any]:
    columns = [IMPORT.c[n] for n in ("id", "opd_code", "filename", "kind", "created_at", "status")]
    query = (
        select(*columns)
        .where(IMPORT.c.account == account, IMPORT.c.created_at >= since)
        .order_by(IMPORT.c.created_at.desc())
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def mark_committed(conn: Connection, import_id: str, result: dict[str, Any], at: datetime) -> bool:
    """False when it was committed already (a second commit changes nothing)."""
    done = conn.execute(
        update(IMPORT)
        .where(IMPORT.c.id == import_id, IMPORT.c.status == ImportStatus.PENDING.value)
        .values(status=ImportStatus.COMMITTED.value, result=result, committed_at=at)
    )
    return done.rowcount == 1


def delete_older_than(conn: Connection, before: datetime) -> int:
    """Expired uploads hold an OPD's records: they are not kept past their expiry."""
    return conn.execute(IMPORT.delete().where(IMPORT.c.created_at < before)).rowcount


def writable_opd(conn: Connection, principal: Principal) -> list[tuple[str, str]]:
    """(code, name) of every OPD the principal may write, by code."""
    query = select(OPD.c.code, OPD.c.name).where(principal.where(OPD.c.code)).order_by(OPD.c.code)
    return [(code, name) for code, name in conn.execute(query)]
