"""All SQL of applications."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, tuple_

from spbe_common.db import for_update
from spbe_inventory.bulk import update_by_id

from .models import Application, ApplicationAsset

APPLICATION = Application.__table__  # type: ignore[attr-defined]
APPLICATION_ASSET = ApplicationAsset.__table__  # type: ignore[attr-defined]
APP_MUTABLE = (
    "description",
    "kind",
    "platform",
    "hosting",
    "facility_id",
    "status",
    "function_level",
    "uses_service_bus",
    "urls",
    "service_areas",
    "declared",
    "probe",
    "last_probed_at",
    "updated_at",
)


def by_keys(conn: Connection, keys: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    if not keys:
        return []
    query = select(APPLICATION).where(
        tuple_(APPLICATION.c.opd_code, APPLICATION.c.name).in_(list(keys))
    )
    query = for_update(conn, query.order_by(APPLICATION.c.id))
    return [dict(r) for r in conn.execute(query).mappings()]


def by_id(conn: Connection, app_id: int) -> dict[str, Any] | None:
    query = for_update(conn, select(APPLICATION).where(APPLICATION.c.id == app_id))
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


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
