"""What a person does to assets, for the API and the web pages alike: the OPD scope, the
reference checks, If-Match, the write and its history. Each answers the asset as GET shows it;
a refusal raises HTTPException (404 outside the scope, 409, 412, 422)."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from sqlalchemy import Connection

from spbe_common.api import Unprocessable, check_version, etag_of
from spbe_common.auth import Principal
from spbe_common.db import lock_asset_identities
from spbe_inventory.api.listing import check_facility, check_opd, found
from spbe_inventory.history.service import Cause, ChangeLog

from . import repository as repo
from . import service as assets
from .identity import NO_IDENTITY, AssetState, Identity, IdentityIndex
from .models import AssetCreate, AssetUpdate

# What a scan moves on every sighting is not part of what a person edits.
VOLATILE = frozenset({"first_seen", "last_seen", "observed", "services"})


def visible(conn: Connection, principal: Principal, asset_id: int) -> dict[str, Any]:
    return found(repo.visible(conn, principal, asset_id), f"asset {asset_id} not found")


def detail(conn: Connection, principal: Principal, asset_id: int) -> dict[str, Any]:
    """The asset with its services (404 outside the principal's scope)."""
    return _detail(conn, visible(conn, principal, asset_id))


def _detail(conn: Connection, row: dict[str, Any]) -> dict[str, Any]:
    out = {name: row[name] for name in repo.LIST_COLUMNS}
    out.update(
        observed=row["observed"],
        declared=row["declared"],
        services=repo.public_services(conn, row["id"]),
    )
    return out


def version(asset: dict[str, Any]) -> str:
    """The ETag of what a person edits."""
    return etag_of(asset, VOLATILE)


def _declared_fields(body: AssetCreate | AssetUpdate) -> dict[str, Any]:
    fields = body.model_dump(mode="json", exclude_unset=True, exclude={"addresses"})
    if fields.get("mac"):
        fields["mac"] = fields["mac"].upper().replace("-", ":")
    addresses = [str(a) for a in getattr(body, "addresses", [])]
    if addresses:
        fields.update(address=addresses[0], addresses=addresses)
    return fields


def _check_owner(conn: Connection, principal: Principal, existing: AssetState | None) -> None:
    """A declaration that identifies a catalogued asset changes it: only within scope."""
    if existing is None or existing.id is None:
        return
    row = repo.visible(conn, principal, existing.id)
    if row is None or not principal.may_write(row["opd_code"]):
        raise HTTPException(
            409, "the MAC, serial, asset code or address identifies an asset of another OPD"
        )


def _check_code(index: IdentityIndex, ident: Identity, existing: AssetState | None) -> None:
    """One entry of the asset register is one asset (uq_asset_opd_code)."""
    if index.code_taken(ident, existing) is not None:
        raise HTTPException(
            409,
            f"asset code {ident.asset_code!r} is another asset's of this OPD (MAC or serial differ)",
        )


def declare(
    conn: Connection, principal: Principal, body: AssetCreate, cause: Cause
) -> tuple[dict[str, Any], bool]:
    """Declares an asset: (the asset, True) when it is new; when a MAC, serial, asset code (of
    its OPD), address or, without any of these, its OPD and name identify one already
    catalogued, the declaration updates it (so concurrent declarations of one device make one
    asset). 409 when that asset belongs to an OPD outside the scope, or the asset code is
    another asset's."""
    fields = _declared_fields(body)
    ident = Identity(
        fields.get("mac"),
        body.serial,
        tuple(fields.get("addresses", [])),
        body.hostname,
        None,
        body.opd_code,
        body.asset_code,
        body.name,
    )
    if not ident.identifies:
        raise Unprocessable(NO_IDENTITY, ("body", "mac"))
    check_opd(conn, principal, body.opd_code)
    check_facility(conn, fields.get("facility_id"))
    uow = assets.AssetUnitOfWork(conn, ChangeLog())
    uow.load([ident])
    existing = uow.index.resolve(ident)[0]
    _check_owner(conn, principal, existing)
    _check_code(uow.index, ident, existing)
    state = uow.declare(assets.Declaration(ident, fields, cause))
    created = state.is_new
    uow.flush()
    assert state.id is not None
    return detail(conn, principal, state.id), created


def update(
    conn: Connection,
    principal: Principal,
    asset_id: int,
    body: AssetUpdate,
    if_match: str | None,
    cause: Cause,
) -> dict[str, Any]:
    """Declares the fields given (never overwritten by scans). `if_match` (an ETag of GET)
    naming an older version answers 412 and nothing is written."""
    lock_asset_identities(conn)  # before any row lock, as every asset writer does
    current = visible(conn, principal, asset_id)
    check_version(if_match, version(_detail(conn, current)))
    fields = _declared_fields(body)
    check_opd(conn, principal, current["opd_code"])
    if "opd_code" in fields:  # only a changed owner must name a known OPD
        check_opd(conn, principal, fields["opd_code"])
    check_facility(conn, fields.get("facility_id"))
    uow = assets.AssetUnitOfWork(conn, ChangeLog())
    uow.load_ids([asset_id])
    uow.declare(assets.Declaration(Identity(None, None, (), None, None), fields, cause, asset_id))
    uow.flush()
    return detail(conn, principal, asset_id)
