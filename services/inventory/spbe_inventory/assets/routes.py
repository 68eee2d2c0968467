"""/api/v1/assets and /api/v1/services. Queries and their OPD scope: `repository.py`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from spbe_common.api import (
    IdPath,
    Offset,
    QueryId,
    Unprocessable,
    check_if_match,
    etag_of,
    with_etag,
)
from spbe_common.db import lock_asset_identities
from spbe_common.events.enums import AssetKind, Lifecycle, Protocol
from spbe_inventory.api.deps import (
    CauseDep,
    ConnDep,
    EngineDep,
    Principal,
    PrincipalDep,
    WriteConnDep,
    read_conn,
)
from spbe_inventory.api.listing import (
    Limit,
    PageDep,
    check_facility,
    check_opd,
    found,
    page_response,
)
from spbe_inventory.history.models import EntityKind
from spbe_inventory.history.routes import history_response
from spbe_inventory.history.service import ChangeLog

from . import repository as repo
from . import service as assets
from .identity import AssetState, Identity
from .models import AssetCreate, AssetDetail, AssetsPublic, AssetUpdate, ServicesPublic

router = APIRouter(prefix="/api/v1", tags=["assets"])


@router.get("/assets", response_model=AssetsPublic)
async def list_assets(
    engine: EngineDep,
    principal: PrincipalDep,
    page: PageDep,
    opd_code: str | None = None,
    kind: AssetKind | None = None,
    lifecycle: Lifecycle | None = None,
    scope: str | None = None,
    address: str | None = None,
    q: Annotated[
        str | None,
        Query(
            max_length=100,
            description="An IPv4 address or its beginning (10.36.4.) finds addresses that start"
            " with it; other text searches name, hostname, address and MAC",
        ),
    ] = None,
) -> Response:
    filters = {
        "opd_code": opd_code,
        "kind": kind,
        "lifecycle": lifecycle,
        "scope": scope,
        "address": address,
    }
    with read_conn(engine) as conn:
        return page_response(repo.page_of(conn, principal, page, filters, q))


def _visible(conn: Connection, principal: Principal, asset_id: int) -> dict[str, Any]:
    return found(repo.visible(conn, principal, asset_id), f"asset {asset_id} not found")


def _detail(conn: Connection, row: dict[str, Any]) -> dict[str, Any]:
    out = {name: row[name] for name in repo.LIST_COLUMNS}
    out.update(
        observed=row["observed"],
        declared=row["declared"],
        services=repo.public_services(conn, row["id"]),
    )
    return out


# What a scan moves on every sighting is not part of what a person edits.
VOLATILE = frozenset({"first_seen", "last_seen", "observed", "services"})


def _answer(detail: dict[str, Any], status_code: int = 200) -> Response:
    return with_etag(detail, status_code, VOLATILE)


@router.get("/assets/{asset_id}", response_model=AssetDetail)
def get_asset(asset_id: IdPath, conn: ConnDep, principal: PrincipalDep) -> Response:
    """The asset with its services; the ETag header goes into If-Match of a later PATCH."""
    return _answer(_detail(conn, _visible(conn, principal, asset_id)))


@router.get("/assets/{asset_id}/history")
def asset_history(
    asset_id: IdPath, conn: ConnDep, principal: PrincipalDep, limit: Limit = 50, offset: Offset = 0
) -> Response:
    _visible(conn, principal, asset_id)
    return history_response(conn, EntityKind.ASSET, asset_id, limit, offset)


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
        raise HTTPException(409, "the MAC, serial or address identifies an asset of another OPD")


@router.post(
    "/assets",
    response_model=AssetDetail,
    status_code=201,
    responses={200: {"model": AssetDetail, "description": "Merged into the asset it identifies"}},
)
def declare_asset(
    body: AssetCreate, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    """Declares an asset: 201 when it is new; 200 when a MAC, serial or address identifies one
    already catalogued, which the declaration then updates (so concurrent declarations of one
    device make one asset). 409 when that asset belongs to an OPD outside the caller's scope
    (nothing is written)."""
    if not (body.mac or body.serial or body.addresses):
        raise Unprocessable("a declared asset needs a MAC, a serial or an address", ("body", "mac"))
    check_opd(conn, principal, body.opd_code)
    fields = _declared_fields(body)
    check_facility(conn, fields.get("facility_id"))
    ident = Identity(
        fields.get("mac"), body.serial, tuple(fields.get("addresses", [])), body.hostname, None
    )
    uow = assets.AssetUnitOfWork(conn, ChangeLog())
    uow.load([ident])
    _check_owner(conn, principal, uow.index.resolve(ident)[0])
    state = uow.declare(assets.Declaration(ident, fields, cause))
    created = state.is_new
    uow.flush()
    assert state.id is not None
    return _answer(_detail(conn, _visible(conn, principal, state.id)), 201 if created else 200)


@router.patch("/assets/{asset_id}", response_model=AssetDetail)
def update_asset(
    asset_id: IdPath,
    body: AssetUpdate,
    request: Request,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
) -> Response:
    """Declares the fields given (never overwritten by scans). With `If-Match: <ETag of GET>`
    a record changed since it was read answers 412 and nothing is written."""
    lock_asset_identities(conn)  # before any row lock, as every asset writer does
    current = _visible(conn, principal, asset_id)
    check_if_match(request, etag_of(_detail(conn, current), VOLATILE))
    fields = _declared_fields(body)
    check_opd(conn, principal, current["opd_code"])
    if "opd_code" in fields:  # only a changed owner must name a known OPD
        check_opd(conn, principal, fields["opd_code"])
    check_facility(conn, fields.get("facility_id"))
    uow = assets.AssetUnitOfWork(conn, ChangeLog())
    uow.load_ids([asset_id])
    uow.declare(assets.Declaration(Identity(None, None, (), None, None), fields, cause, asset_id))
    uow.flush()
    return _answer(_detail(conn, _visible(conn, principal, asset_id)))


@router.get("/services", response_model=ServicesPublic, tags=["services"])
async def list_services(
    engine: EngineDep,
    principal: PrincipalDep,
    page: PageDep,
    port: Annotated[int | None, Query(ge=0, le=65535)] = None,
    protocol: Protocol | None = None,
    name: str | None = None,
    product: Annotated[str | None, Query(max_length=100)] = None,
    asset_id: QueryId = None,
) -> Response:
    filters = {"port": port, "protocol": protocol, "name": name, "asset_id": asset_id}
    with read_conn(engine) as conn:
        return page_response(repo.services_page(conn, principal, page, filters, product))
