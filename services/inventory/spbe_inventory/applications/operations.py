"""What a person does to applications, for the API and the web pages alike: the OPD scope, the
linked assets and facility, If-Match, the write and its history. Each answers the application
as GET shows it; a refusal raises HTTPException (404 outside the scope, 409, 412, 422)."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from sqlalchemy import Connection

from spbe_common.api import Unprocessable, check_version, etag_of
from spbe_common.auth import Principal
from spbe_inventory.api.listing import check_facility, check_opd, found
from spbe_inventory.assets import repository as assets
from spbe_inventory.history.service import Cause, ChangeLog

from . import repository as repo
from . import service
from .models import ApplicationCreate, ApplicationUpdate

# Probes move these on every round; they are not what a person edits.
VOLATILE = frozenset({"probe", "last_probed_at"})


def visible(conn: Connection, principal: Principal, app_id: int) -> dict[str, Any]:
    return found(repo.visible(conn, principal, app_id), f"application {app_id} not found")


def detail(conn: Connection, principal: Principal, app_id: int) -> dict[str, Any]:
    row = visible(conn, principal, app_id)
    return {**{k: row[k] for k in repo.COLUMNS}, "asset_ids": repo.asset_ids(conn, app_id)}


def version(application: dict[str, Any]) -> str:
    """The ETag of what a person edits."""
    return etag_of(application, VOLATILE)


def _check_refs(
    conn: Connection,
    principal: Principal,
    opd_code: str,
    asset_ids: list[int] | None,
    facility_id: int | None = None,
) -> None:
    """The OPD must be writable; linked assets must be in scope (others count as unknown);
    any facility may be named (they are shared)."""
    check_opd(conn, principal, opd_code)
    check_facility(conn, facility_id)
    if asset_ids:
        known = assets.visible_ids(conn, principal, asset_ids)
        if missing := sorted(set(asset_ids) - known):
            raise Unprocessable(f"unknown asset ids: {missing}", ("body", "asset_ids"))


def create(
    conn: Connection, principal: Principal, body: ApplicationCreate, cause: Cause
) -> dict[str, Any]:
    """A new application; 409 when its OPD already has one of that name."""
    _check_refs(conn, principal, body.opd_code, body.asset_ids, body.facility_id)
    if repo.by_keys(conn, [(body.opd_code, body.name)]):
        raise HTTPException(409, f"application {body.name!r} of {body.opd_code} already exists")
    changes = ChangeLog()
    app_id = service.create(conn, changes, body.model_dump(mode="json"), cause)
    changes.flush(conn)
    return detail(conn, principal, app_id)


def update(
    conn: Connection,
    principal: Principal,
    app_id: int,
    body: ApplicationUpdate,
    if_match: str | None,
    cause: Cause,
) -> dict[str, Any]:
    """Declares the fields given; `if_match` naming an older version answers 412."""
    row = visible(conn, principal, app_id)
    check_version(if_match, version(detail(conn, principal, app_id)))
    _check_refs(conn, principal, row["opd_code"], body.asset_ids, body.facility_id)
    fields = {
        **body.model_dump(mode="json", exclude_unset=True),
        "name": row["name"],
        "opd_code": row["opd_code"],
    }
    changes = ChangeLog()
    service.declare(conn, changes, fields, cause)
    changes.flush(conn)
    return detail(conn, principal, app_id)
