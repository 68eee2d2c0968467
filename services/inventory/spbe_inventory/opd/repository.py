"""All SQL of OPD."""

from typing import Any

from sqlalchemy import Connection, insert, select, update

from spbe_common.db import for_update

from .models import Opd

OPD = Opd.__table__  # type: ignore[attr-defined]


def exists(conn: Connection, code: str) -> bool:
    return conn.execute(select(OPD.c.id).where(OPD.c.code == code)).first() is not None


def by_code(conn: Connection, code: str) -> dict[str, Any] | None:
    row = conn.execute(for_update(conn, select(OPD).where(OPD.c.code == code))).mappings().first()
    return dict(row) if row else None


def insert_one(conn: Connection, row: dict[str, Any]) -> int:
    return int(conn.execute(insert(OPD).returning(OPD.c.id), row).scalar_one())


def update_one(conn: Connection, opd_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(OPD).where(OPD.c.id == opd_id).values(values))
