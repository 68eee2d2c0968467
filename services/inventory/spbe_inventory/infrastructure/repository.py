"""All SQL of facilities and network links.

Facilities (Pusat Data, server rooms) are shared by many OPD: every reader sees them all, and
any of them may be named by a record; only their changes are limited to `owner_opd_code`.
Network links belong to one OPD and are read within the principal's scope.
"""

from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, insert, select, update

from spbe_common.auth import Principal
from spbe_common.db import for_update
from spbe_common.events.enums import HostingKind
from spbe_inventory.listing_repository import Page, Rows, equal_to, list_page, search

from .models import Facility, FacilityBase, NetworkLink, NetworkLinkBase

FACILITY = Facility.__table__  # type: ignore[attr-defined]
NETWORK_LINK = NetworkLink.__table__  # type: ignore[attr-defined]
FACILITY_COLUMNS = ("id", *FacilityBase.model_fields, "is_sample")
LINK_COLUMNS = ("id", *NetworkLinkBase.model_fields, "is_sample")


def facilities_page(
    conn: Connection,
    principal: Principal,
    page: Page,
    kind: HostingKind | None,
    q: str | None = None,
) -> tuple[Rows, int]:
    """`q` searches name, location, operator and owner (the web page's search box)."""
    del principal  # shared: read by every reader (see the module's docstring)
    columns = (FACILITY.c.name, FACILITY.c.location, FACILITY.c.operator, FACILITY.c.owner_opd_code)
    where = [*equal_to(FACILITY, {"kind": kind}), *search(columns, q)]
    return list_page(conn, FACILITY, FACILITY_COLUMNS, where, page, ("id", "name", "kind"))


def facility_visible(conn: Connection, facility_id: int) -> dict[str, Any] | None:
    """A facility by id, for any principal (shared: see the module's docstring)."""
    return _by_id(conn, FACILITY, facility_id)


def facility_writable(
    conn: Connection, principal: Principal, facility_id: int
) -> dict[str, Any] | None:
    """A facility the principal may change (its owner OPD in scope; one without an owner only
    for an unscoped account), locked for the writer; else None."""
    return _by_id(conn, FACILITY, facility_id, principal.where(FACILITY.c.owner_opd_code))


def link_visible(conn: Connection, principal: Principal, link_id: int) -> dict[str, Any] | None:
    """A link in the principal's scope (locked for a writer), else None."""
    return _by_id(conn, NETWORK_LINK, link_id, principal.where(NETWORK_LINK.c.opd_code))


def links_page(
    conn: Connection,
    principal: Principal,
    page: Page,
    opd_code: str | None,
    q: str | None = None,
) -> tuple[Rows, int]:
    """`q` searches site, owner and operator (the web page's search box)."""
    columns = (NETWORK_LINK.c.site, NETWORK_LINK.c.owner, NETWORK_LINK.c.operator)
    where = [
        principal.where(NETWORK_LINK.c.opd_code),
        *equal_to(NETWORK_LINK, {"opd_code": opd_code}),
        *search(columns, q),
    ]
    return list_page(conn, NETWORK_LINK, LINK_COLUMNS, where, page, ("id", "opd_code", "site"))


def facilities_by_ids(conn: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    """Facilities by id (shared: any principal reads them)."""
    if not ids:
        return {}
    query = select(*(FACILITY.c[n] for n in FACILITY_COLUMNS)).where(FACILITY.c.id.in_(ids))
    return {r["id"]: dict(r) for r in conn.execute(query).mappings()}


def facilities_owned_by(conn: Connection, opd_code: str) -> Rows:
    query = (
        select(*(FACILITY.c[n] for n in FACILITY_COLUMNS))
        .where(FACILITY.c.owner_opd_code == opd_code)
        .order_by(FACILITY.c.name)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def links_of(conn: Connection, principal: Principal, opd_code: str) -> Rows:
    """The intra-network links of one OPD's sites (none outside the principal's scope)."""
    where = (NETWORK_LINK.c.opd_code == opd_code, principal.where(NETWORK_LINK.c.opd_code))
    query = select(*(NETWORK_LINK.c[n] for n in LINK_COLUMNS)).where(*where)
    return [dict(r) for r in conn.execute(query.order_by(NETWORK_LINK.c.site)).mappings()]


def insert_one(conn: Connection, table: Table, row: dict[str, Any]) -> dict[str, Any]:
    new_id = conn.execute(insert(table).returning(table.c.id), row).scalar_one()
    return dict(conn.execute(select(table).where(table.c.id == new_id)).mappings().one())


def update_one(conn: Connection, table: Table, row_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(table).where(table.c.id == row_id).values(**values))


def _by_id(
    conn: Connection, table: Table, row_id: int, *scope: ColumnElement[bool]
) -> dict[str, Any] | None:
    """The row (locked for a writer), where `scope` holds too; else None."""
    query = for_update(conn, select(table).where(table.c.id == row_id, *scope))
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def facility_named(conn: Connection, name: str) -> int | None:
    """The id of the facility of that name, if any."""
    query = select(FACILITY.c.id).where(FACILITY.c.name == name)
    return conn.execute(query).scalar_one_or_none()


def link_at(conn: Connection, opd_code: str, site: str) -> int | None:
    """The id of the link of that OPD's site, if any."""
    query = select(NETWORK_LINK.c.id).where(
        NETWORK_LINK.c.opd_code == opd_code, NETWORK_LINK.c.site == site
    )
    return conn.execute(query).scalar_one_or_none()


def facility_names(conn: Connection, ids: list[int]) -> dict[int, str]:
    """Names of facilities by id (shared: any principal reads them)."""
    if not ids:
        return {}
    query = select(FACILITY.c.id, FACILITY.c.name).where(FACILITY.c.id.in_(ids))
    return {row.id: row.name for row in conn.execute(query)}
