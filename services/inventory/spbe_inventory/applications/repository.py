"""All SQL of applications. What a request reads goes through the first section, which applies
the principal's OPD scope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, tuple_

from spbe_common.auth import Principal
from spbe_common.db import for_update
from spbe_inventory.assets.repository import ASSET
from spbe_inventory.bulk import chunks, update_by_id
from spbe_inventory.listing_repository import Page, Rows, equal_to, list_page, search

from .models import Application, ApplicationAsset, ApplicationPublic

APPLICATION = Application.__table__  # type: ignore[attr-defined]
APPLICATION_ASSET = ApplicationAsset.__table__  # type: ignore[attr-defined]
COLUMNS = tuple(ApplicationPublic.model_fields)
SORTABLE = ("id", "name", "opd_code", "kind", "status", "last_probed_at")
APP_MUTABLE = (
    "description",
    "kind",
    "platform",
    "hosting",
    "facility_id",
    "status",
    "function_level",
    "uses_service_bus",
    "licence",
    "licence_until",
    "urls",
    "service_areas",
    "declared",
    "probe",
    "last_probed_at",
    "updated_at",
)


# --- what a principal reads ------------------------------------------------------------------


def page_of(
    conn: Connection, principal: Principal, page: Page, filters: dict[str, Any], q: str | None
) -> tuple[Rows, int]:
    where = [
        principal.where(APPLICATION.c.opd_code),
        *equal_to(APPLICATION, filters),
        *search((APPLICATION.c.name, APPLICATION.c.description), q),
    ]
    return list_page(conn, APPLICATION, COLUMNS, where, page, SORTABLE)


def visible(conn: Connection, principal: Principal, app_id: int) -> dict[str, Any] | None:
    """The row of an application in the principal's scope (locked for a writer), else None."""
    query = select(APPLICATION).where(
        APPLICATION.c.id == app_id, principal.where(APPLICATION.c.opd_code)
    )
    row = conn.execute(for_update(conn, query)).mappings().first()
    return dict(row) if row else None


def visible_opds(conn: Connection, principal: Principal, ids: Sequence[int]) -> dict[int, str]:
    """OPD code of each of `ids` that is an application in the principal's scope (the others
    count as unknown)."""
    found: dict[int, str] = {}
    for chunk in chunks(sorted(set(ids))):
        query = select(APPLICATION.c.id, APPLICATION.c.opd_code).where(
            APPLICATION.c.id.in_(chunk), principal.where(APPLICATION.c.opd_code)
        )
        found.update({row.id: row.opd_code for row in conn.execute(query)})
    return found


def _summaries(conn: Connection, principal: Principal, *where: Any, limit: int = 200) -> Rows:
    columns = [APPLICATION.c[n] for n in ("id", "name", "opd_code", "status", "facility_id")]
    query = (
        select(*columns)
        .where(principal.where(APPLICATION.c.opd_code), *where)
        .order_by(APPLICATION.c.name, APPLICATION.c.id)
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def running_on(conn: Connection, principal: Principal, asset_id: int) -> Rows:
    """Applications (in the principal's scope) that run on an asset."""
    hosted = select(APPLICATION_ASSET.c.application_id).where(
        APPLICATION_ASSET.c.asset_id == asset_id
    )
    return _summaries(conn, principal, APPLICATION.c.id.in_(hosted))


def in_facility(conn: Connection, principal: Principal, facility_id: int) -> Rows:
    """Applications (in the principal's scope) hosted in a facility: named there, or running on
    an asset placed there."""
    # per application, its links then their assets by key (asset.facility_id has no index)
    on_assets = (
        select(APPLICATION_ASSET.c.asset_id)
        .join(ASSET, ASSET.c.id == APPLICATION_ASSET.c.asset_id)
        .where(
            APPLICATION_ASSET.c.application_id == APPLICATION.c.id,
            ASSET.c.facility_id == facility_id,
        )
    )
    hosted = or_(APPLICATION.c.facility_id == facility_id, on_assets.exists())
    return _summaries(conn, principal, hosted)


def status_counts(conn: Connection, principal: Principal, opd_code: str) -> dict[str, int]:
    """How many applications of one OPD have each status (none outside the principal's scope)."""
    where = (APPLICATION.c.opd_code == opd_code, principal.where(APPLICATION.c.opd_code))
    query = select(APPLICATION.c.status, func.count()).where(*where).group_by(APPLICATION.c.status)
    return {str(status): int(n) for status, n in conn.execute(query)}


# --- writes and ingestion -------------------------------------------------------------------


def by_keys(conn: Connection, keys: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    if not keys:
        return []
    query = select(APPLICATION).where(
        tuple_(APPLICATION.c.opd_code, APPLICATION.c.name).in_(list(keys))
    )
    query = for_update(conn, query.order_by(APPLICATION.c.id))
    return [dict(r) for r in conn.execute(query).mappings()]


def by_name_any_case(conn: Connection, opd_code: str, name: str) -> list[dict[str, Any]]:
    """The OPD's applications named `name` whatever its capitals ("simpus" finds "SIMPUS")."""
    query = select(APPLICATION).where(
        APPLICATION.c.opd_code == opd_code, func.lower(APPLICATION.c.name) == name.lower()
    )
    query = for_update(conn, query.order_by(APPLICATION.c.id))
    return [dict(r) for r in conn.execute(query).mappings()]


def all_rows(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(APPLICATION)).mappings()]


def insert_one(conn: Connection, row: dict[str, Any]) -> int:
    values = {k: v for k, v in row.items() if k != "id"}
    return int(conn.execute(insert(APPLICATION).returning(APPLICATION.c.id), values).scalar_one())


def update_many(conn: Connection, rows: list[dict[str, Any]]) -> None:
    update_by_id(conn, APPLICATION, APP_MUTABLE, rows)


def asset_ids(conn: Connection, app_id: int) -> list[int]:
    query = select(APPLICATION_ASSET.c.asset_id).where(APPLICATION_ASSET.c.application_id == app_id)
    return sorted(conn.execute(query).scalars())


def set_asset_ids(conn: Connection, app_id: int, ids: Sequence[int]) -> None:
    conn.execute(delete(APPLICATION_ASSET).where(APPLICATION_ASSET.c.application_id == app_id))
    if ids:
        conn.execute(
            insert(APPLICATION_ASSET), [{"application_id": app_id, "asset_id": i} for i in ids]
        )
