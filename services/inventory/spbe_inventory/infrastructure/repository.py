"""All SQL of facilities and network links."""

from typing import Any

from sqlalchemy import Connection, Table, insert, select

from spbe_common.db import for_update

from .models import Facility, NetworkLink

FACILITY = Facility.__table__  # type: ignore[attr-defined]
NETWORK_LINK = NetworkLink.__table__  # type: ignore[attr-defined]


def insert_one(conn: Connection, table: Table, row: dict[str, Any]) -> dict[str, Any]:
    new_id = conn.execute(insert(table).returning(table.c.id), row).scalar_one()
    return dict(conn.execute(select(table).where(table.c.id == new_id)).mappings().one())


def by_id(conn: Connection, table: Table, row_id: int) -> dict[str, Any] | None:
    row = (
        conn.execute(for_update(conn, select(table).where(table.c.id == row_id))).mappings().first()
    )
    return dict(row) if row else None


def facility_exists(conn: Connection, facility_id: int) -> bool:
    return by_id(conn, FACILITY, facility_id) is not None


def facility_named(conn: Connection, name: str) -> bool:
    return conn.execute(select(FACILITY.c.id).where(FACILITY.c.name == name)).first() is not None


def link_exists(conn: Connection, opd_code: str, site: str) -> bool:
    query = select(NETWORK_LINK.c.id).where(
        NETWORK_LINK.c.opd_code == opd_code, NETWORK_LINK.c.site == site
    )
    return conn.execute(query).first() is not None
