"""All SQL of assets and services (SQLAlchemy Core: ingestion moves many rows at once)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, or_, select, update

from .models import Asset, Service

ASSET = Asset.__table__  # type: ignore[attr-defined]
SERVICE = Service.__table__  # type: ignore[attr-defined]
CHUNK = 500  # stays far below every driver's bound-parameter limit

ASSET_MUTABLE = (
    "name",
    "kind",
    "hostname",
    "mac",
    "serial",
    "opd_code",
    "location",
    "owner",
    "facility_id",
    "address",
    "addresses",
    "os_guess",
    "vendor",
    "lifecycle",
    "first_seen",
    "last_seen",
    "scope",
    "last_scan_id",
    "identity_rule",
    "observed",
    "declared",
    "updated_at",
)
ASSET_TOUCH = ("last_seen", "last_scan_id", "scope", "identity_rule")


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def find_candidates(
    conn: Connection, macs: Iterable[str], serials: Iterable[str], addresses: Iterable[str]
) -> list[dict[str, Any]]:
    """Assets that share a MAC, a serial or a primary address with what is being folded in."""
    found: dict[int, dict[str, Any]] = {}
    for column, values in (
        (ASSET.c.mac, macs),
        (ASSET.c.serial, serials),
        (ASSET.c.address, addresses),
    ):
        for chunk in _chunks(sorted(set(values))):
            for row in conn.execute(select(ASSET).where(column.in_(chunk))).mappings():
                found[row["id"]] = dict(row)
    return list(found.values())


def get_rows(conn: Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(ASSET).where(ASSET.c.id.in_(ids))).mappings()]


def services_of(conn: Connection, asset_ids: Sequence[int]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(sorted(set(asset_ids))):
        query = select(SERVICE).where(SERVICE.c.asset_id.in_(chunk))
        rows += [dict(r) for r in conn.execute(query).mappings()]
    return rows


def insert_assets(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    stmt = insert(ASSET).returning(ASSET.c.id, sort_by_parameter_order=True)
    return [r[0] for r in conn.execute(stmt, rows)]


def _update_by_id(
    conn: Connection, table: Any, columns: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    if not rows:
        return
    stmt = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({name: bindparam(name) for name in columns})
    )
    params = [{"_id": row["id"], **{name: row[name] for name in columns}} for row in rows]
    conn.execute(stmt, params)


def update_assets(conn: Connection, rows: list[dict[str, Any]]) -> None:
    _update_by_id(conn, ASSET, ASSET_MUTABLE, rows)


def touch_assets(conn: Connection, rows: list[dict[str, Any]]) -> None:
    _update_by_id(conn, ASSET, ASSET_TOUCH, rows)


def insert_services(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(SERVICE), rows)


def update_services(conn: Connection, rows: list[dict[str, Any]]) -> None:
    _update_by_id(conn, SERVICE, ("name", "product", "version", "last_seen"), rows)


def touch_services(conn: Connection, rows: list[dict[str, Any]]) -> None:
    _update_by_id(conn, SERVICE, ("last_seen",), rows)


def active_in_scope_seen_before(
    conn: Connection, scope: str, before: datetime
) -> list[dict[str, Any]]:
    """Assets of a scan scope, not retired, whose last sighting predates the scan."""
    query = select(ASSET).where(
        ASSET.c.scope == scope,
        ASSET.c.lifecycle == "active",
        or_(ASSET.c.last_seen < before, ASSET.c.last_seen.is_(None)),
    )
    return [dict(r) for r in conn.execute(query).mappings()]
