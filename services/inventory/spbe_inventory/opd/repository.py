"""All SQL of OPD.

The list of OPD is the regency's organisation chart (public in its SOTK regulation): every reader
sees all of it, as collectors check their scopes against it and operators name other OPD (a
shared facility's users). Only changes are limited to the principal's own OPD.
"""

from typing import Any

from sqlalchemy import Connection, insert, select, update

from spbe_common.auth import Principal
from spbe_common.db import for_update
from spbe_inventory.listing_repository import Page, Rows, equal_to, list_page, search

from .models import Opd, OpdKind, OpdPublic

OPD = Opd.__table__  # type: ignore[attr-defined]
COLUMNS = tuple(OpdPublic.model_fields)
SORTABLE = ("id", "code", "name", "kind")


def page_of(
    conn: Connection, principal: Principal, page: Page, kind: OpdKind | None, q: str | None
) -> tuple[Rows, int]:
    """Every OPD, for every reader (see the module's docstring)."""
    del principal  # read by all: the organisation chart is public
    where = [
        *equal_to(OPD, {"kind": kind}),
        *search((OPD.c.name, OPD.c.code, OPD.c.abbreviation), q),
    ]
    return list_page(conn, OPD, COLUMNS, where, page, SORTABLE)


def visible(conn: Connection, principal: Principal, code: str) -> dict[str, Any] | None:
    del principal  # see page_of
    return by_code(conn, code)


def exists(conn: Connection, code: str) -> bool:
    return conn.execute(select(OPD.c.id).where(OPD.c.code == code)).first() is not None


def by_code(conn: Connection, code: str) -> dict[str, Any] | None:
    row = conn.execute(for_update(conn, select(OPD).where(OPD.c.code == code))).mappings().first()
    return dict(row) if row else None


def codes_in(conn: Connection, codes: list[str]) -> set[str]:
    if not codes:
        return set()
    return set(conn.execute(select(OPD.c.code).where(OPD.c.code.in_(codes))).scalars())


def directory(conn: Connection) -> list[tuple[str, str]]:
    """Every OPD's code and name, by code (the chart is public: see the module's docstring)."""
    return [
        (code, name)
        for code, name in conn.execute(select(OPD.c.code, OPD.c.name).order_by(OPD.c.code))
    ]


def names_of(conn: Connection, codes: list[str]) -> dict[str, str]:
    """Name of each of `codes` that is an OPD (the chart is public: see the module's docstring)."""
    if not codes:
        return {}
    query = select(OPD.c.code, OPD.c.name).where(OPD.c.code.in_(sorted(set(codes))))
    return {code: name for code, name in conn.execute(query)}


def insert_one(conn: Connection, row: dict[str, Any]) -> int:
    return int(conn.execute(insert(OPD).returning(OPD.c.id), row).scalar_one())


def update_one(conn: Connection, opd_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(OPD).where(OPD.c.id == opd_id).values(values))
