"""What a person records of the infrastructure, for the API and the web pages alike: a facility
(data centre, server room) or an intra-network link, with its history. A refusal raises
HTTPException (403/422 for an OPD outside the scope, 409 for a duplicate)."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from sqlalchemy import Connection, Table

from spbe_common.auth import Principal
from spbe_inventory.api.listing import check_opd
from spbe_inventory.history.models import ChangeAction, EntityKind
from spbe_inventory.history.service import Cause, ChangeLog

from . import repository as repo
from .models import FacilityBase, NetworkLinkBase


def _create(
    conn: Connection,
    table: Table,
    entity: EntityKind,
    values: dict[str, Any],
    cause: Cause,
    columns: tuple[str, ...],
) -> dict[str, Any]:
    row = repo.insert_one(conn, table, {**values, "is_sample": False, "created_at": cause.at})
    changes = ChangeLog()
    changes.record(entity, row["id"], ChangeAction.CREATED, None, values, cause)
    changes.flush(conn)
    return {k: row[k] for k in columns}


def create_facility(
    conn: Connection, principal: Principal, body: FacilityBase, cause: Cause
) -> dict[str, Any]:
    check_opd(conn, principal, body.owner_opd_code, "owner_opd_code")
    if repo.facility_named(conn, body.name):
        raise HTTPException(409, f"facility {body.name!r} already exists")
    values = body.model_dump(mode="json")
    return _create(conn, repo.FACILITY, EntityKind.FACILITY, values, cause, repo.FACILITY_COLUMNS)


def create_link(
    conn: Connection, principal: Principal, body: NetworkLinkBase, cause: Cause
) -> dict[str, Any]:
    check_opd(conn, principal, body.opd_code)
    if repo.link_exists(conn, body.opd_code, body.site):
        raise HTTPException(409, f"site {body.site!r} of {body.opd_code} already has a link")
    values = body.model_dump(mode="json")
    return _create(
        conn, repo.NETWORK_LINK, EntityKind.NETWORK_LINK, values, cause, repo.LINK_COLUMNS
    )
