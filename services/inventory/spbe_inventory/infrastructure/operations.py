"""What a person records of the infrastructure, for the API and the web pages alike: a facility
(data centre, server room) or an intra-network link, created or changed, with its history. A
refusal raises HTTPException (404 outside the scope, 403/422 for an OPD outside the scope, 409
for a duplicate, naming the record it duplicates, 412 for a stale If-Match)."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from sqlalchemy import Connection, Table

from spbe_common.api import check_version, etag_of
from spbe_common.auth import Principal
from spbe_inventory.api.listing import check_opd, found
from spbe_inventory.history.models import ChangeAction, EntityKind
from spbe_inventory.history.service import Cause, ChangeLog

from . import repository as repo
from .models import FacilityBase, FacilityUpdate, NetworkLinkBase, NetworkLinkUpdate


class Duplicate(HTTPException):
    """409: the record would repeat `existing_id` (a facility's name, an OPD site's link)."""

    def __init__(self, detail: str, existing_id: int) -> None:
        super().__init__(409, detail)
        self.existing_id = existing_id


def version(record: dict[str, Any]) -> str:
    """The ETag of a facility or a link as GET shows it (nothing in them moves by itself)."""
    return etag_of(record)


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


def _update(
    conn: Connection,
    table: Table,
    entity: EntityKind,
    current: dict[str, Any],
    fields: dict[str, Any],
    cause: Cause,
) -> dict[str, Any]:
    """Writes the fields that differ, with one history row of them (none when nothing did)."""
    changed = {k: v for k, v in fields.items() if current[k] != v}
    if changed:
        repo.update_one(conn, table, current["id"], changed)
        changes = ChangeLog()
        before = {k: current[k] for k in changed}
        changes.record(entity, current["id"], ChangeAction.UPDATED, before, changed, cause)
        changes.flush(conn)
    return {**current, **changed}


# --- facilities ------------------------------------------------------------------------------
def _facility(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in repo.FACILITY_COLUMNS}


def facility(conn: Connection, facility_id: int) -> dict[str, Any]:
    """A facility as GET shows it, to every reader (facilities are shared)."""
    row = repo.facility_visible(conn, facility_id)
    return _facility(found(row, f"facility {facility_id} not found"))


def writable_facility(conn: Connection, principal: Principal, facility_id: int) -> dict[str, Any]:
    """A facility the principal may change; 404 otherwise, as for an asset of another OPD."""
    row = repo.facility_writable(conn, principal, facility_id)
    return _facility(found(row, f"facility {facility_id} not found"))


def _check_facility_name(conn: Connection, name: str, facility_id: int | None = None) -> None:
    existing = repo.facility_named(conn, name)
    if existing is not None and existing != facility_id:
        raise Duplicate(f"facility {name!r} already exists", existing)


def create_facility(
    conn: Connection, principal: Principal, body: FacilityBase, cause: Cause
) -> dict[str, Any]:
    check_opd(conn, principal, body.owner_opd_code, "owner_opd_code")
    _check_facility_name(conn, body.name)
    values = body.model_dump(mode="json")
    return _create(conn, repo.FACILITY, EntityKind.FACILITY, values, cause, repo.FACILITY_COLUMNS)


def update_facility(
    conn: Connection,
    principal: Principal,
    facility_id: int,
    body: FacilityUpdate,
    if_match: str | None,
    cause: Cause,
) -> dict[str, Any]:
    """Changes the fields given; `if_match` naming an older version answers 412."""
    current = writable_facility(conn, principal, facility_id)
    check_version(if_match, version(current))
    fields = body.model_dump(mode="json", exclude_unset=True)
    if "owner_opd_code" in fields:  # a new owner must be known and writable too
        check_opd(conn, principal, fields["owner_opd_code"], "owner_opd_code")
    if "name" in fields:
        _check_facility_name(conn, fields["name"], facility_id)
    return _update(conn, repo.FACILITY, EntityKind.FACILITY, current, fields, cause)


# --- network links ---------------------------------------------------------------------------
def link(conn: Connection, principal: Principal, link_id: int) -> dict[str, Any]:
    """A link as GET shows it; 404 outside the principal's scope."""
    row = found(repo.link_visible(conn, principal, link_id), f"network link {link_id} not found")
    return {k: row[k] for k in repo.LINK_COLUMNS}


def _check_site(conn: Connection, opd_code: str, site: str, link_id: int | None = None) -> None:
    existing = repo.link_at(conn, opd_code, site)
    if existing is not None and existing != link_id:
        raise Duplicate(f"site {site!r} of {opd_code} already has a link", existing)


def create_link(
    conn: Connection, principal: Principal, body: NetworkLinkBase, cause: Cause
) -> dict[str, Any]:
    check_opd(conn, principal, body.opd_code)
    _check_site(conn, body.opd_code, body.site)
    values = body.model_dump(mode="json")
    return _create(
        conn, repo.NETWORK_LINK, EntityKind.NETWORK_LINK, values, cause, repo.LINK_COLUMNS
    )


def update_link(
    conn: Connection,
    principal: Principal,
    link_id: int,
    body: NetworkLinkUpdate,
    if_match: str | None,
    cause: Cause,
) -> dict[str, Any]:
    """Changes the fields given; `if_match` naming an older version answers 412."""
    current = link(conn, principal, link_id)
    check_version(if_match, version(current))
    check_opd(conn, principal, current["opd_code"])
    fields = body.model_dump(mode="json", exclude_unset=True)
    if "opd_code" in fields:  # only a changed OPD must be known and writable
        check_opd(conn, principal, fields["opd_code"])
    target = {**current, **fields}
    _check_site(conn, target["opd_code"], target["site"], link_id)
    return _update(conn, repo.NETWORK_LINK, EntityKind.NETWORK_LINK, current, fields, cause)
