"""/api/v1/assets and /api/v1/services."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection, or_, select

from spbe_common.api import (
    IdPath,
    Offset,
    QueryId,
    Unprocessable,
    check_if_match,
    etag_of,
    with_etag,
)
from spbe_common.db import for_update, lock_asset_identities
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
from spbe_inventory.api.listing import Page, json_response, like, list_page, page_params
from spbe_inventory.history.models import EntityKind
from spbe_inventory.history.routes import Limit, history_response
from spbe_inventory.history.service import ChangeLog
from spbe_inventory.infrastructure.repository import facility_exists
from spbe_inventory.opd.repository import exists

from . import service as assets
from .identity import Identity
from .models import (
    AssetCreate,
    AssetDetail,
    AssetPublic,
    AssetsPublic,
    AssetUpdate,
    ServicePublic,
    ServicesPublic,
)
from .repository import ASSET, SERVICE

router = APIRouter(prefix="/api/v1", tags=["assets"])
PageDep = Annotated[Page, Depends(page_params)]
LIST_COLUMNS = tuple(AssetPublic.model_fields)  # the public shape decides what a list reads
SORTABLE = (
    "id",
    "name",
    "hostname",
    "address",
    "opd_code",
    "kind",
    "lifecycle",
    "first_seen",
    "last_seen",
)
SERVICE_COLUMNS = tuple(ServicePublic.model_fields)


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
        str | None, Query(max_length=100, description="Search name, hostname, address, MAC")
    ] = None,
) -> Response:
    where = [principal.where(ASSET.c.opd_code)]
    for column, value in (
        (ASSET.c.opd_code, opd_code),
        (ASSET.c.kind, kind),
        (ASSET.c.lifecycle, lifecycle),
        (ASSET.c.scope, scope),
        (ASSET.c.address, address),
    ):
        if value is not None:
            where.append(column == value)
    if q:
        pattern = like(q.lower())
        where.append(
            or_(
                *(
                    c.ilike(pattern, escape="\\")
                    for c in (ASSET.c.name, ASSET.c.hostname, ASSET.c.address, ASSET.c.mac)
                )
            )
        )
    with read_conn(engine) as conn:
        rows, count = list_page(conn, ASSET, LIST_COLUMNS, where, page, SORTABLE)
    return json_response({"data": rows, "count": count})


def _visible_asset(conn: Connection, principal: Principal, asset_id: int) -> dict[str, Any]:
    query = select(ASSET).where(ASSET.c.id == asset_id, principal.where(ASSET.c.opd_code))
    query = for_update(conn, query)
    row = conn.execute(query).mappings().first()
    if row is None:
        raise HTTPException(404, f"asset {asset_id} not found")
    return dict(row)


def _detail(conn: Connection, row: dict[str, Any]) -> dict[str, Any]:
    services = (
        select(*(SERVICE.c[n] for n in SERVICE_COLUMNS))
        .where(SERVICE.c.asset_id == row["id"])
        .order_by(SERVICE.c.port)
    )
    out = {name: row[name] for name in LIST_COLUMNS}
    out.update(
        observed=row["observed"],
        declared=row["declared"],
        services=[dict(r) for r in conn.execute(services).mappings()],
    )
    return out


# What a scan moves on every sighting is not part of what a person edits.
VOLATILE = frozenset({"first_seen", "last_seen", "observed", "services"})


def _answer(detail: dict[str, Any], status_code: int = 200) -> Response:
    return with_etag(detail, status_code, VOLATILE)


@router.get("/assets/{asset_id}", response_model=AssetDetail)
def get_asset(asset_id: IdPath, conn: ConnDep, principal: PrincipalDep) -> Response:
    """The asset with its services; the ETag header goes into If-Match of a later PATCH."""
    return _answer(_detail(conn, _visible_asset(conn, principal, asset_id)))


@router.get("/assets/{asset_id}/history")
def asset_history(
    asset_id: IdPath, conn: ConnDep, principal: PrincipalDep, limit: Limit = 50, offset: Offset = 0
) -> Response:
    _visible_asset(conn, principal, asset_id)
    return history_response(conn, EntityKind.ASSET, asset_id, limit, offset)


def _declared_fields(body: AssetCreate | AssetUpdate) -> dict[str, Any]:
    fields = body.model_dump(mode="json", exclude_unset=True, exclude={"addresses"})
    if fields.get("mac"):
        fields["mac"] = fields["mac"].upper().replace("-", ":")
    addresses = [str(a) for a in getattr(body, "addresses", [])]
    if addresses:
        fields.update(address=addresses[0], addresses=addresses)
    return fields


def _check_facility(conn: Connection, fields: dict[str, Any]) -> None:
    facility_id = fields.get("facility_id")
    if facility_id is not None and not facility_exists(conn, facility_id):
        raise Unprocessable(f"unknown facility id {facility_id}", ("body", "facility_id"))


def _check_opd(conn: Connection, principal: Principal, opd_code: str | None) -> None:
    if opd_code is not None and not exists(conn, opd_code):
        raise Unprocessable(f"unknown OPD code {opd_code!r}", ("body", "opd_code"))
    if not principal.may_write(opd_code):
        raise HTTPException(403, f"not allowed to write records of OPD {opd_code!r}")


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
    device make one asset)."""
    if not (body.mac or body.serial or body.addresses):
        raise Unprocessable("a declared asset needs a MAC, a serial or an address", ("body", "mac"))
    _check_opd(conn, principal, body.opd_code)
    fields = _declared_fields(body)
    _check_facility(conn, fields)
    ident = Identity(
        fields.get("mac"), body.serial, tuple(fields.get("addresses", [])), body.hostname, None
    )
    uow = assets.AssetUnitOfWork(conn, ChangeLog())
    uow.load([ident])
    state = uow.declare(assets.Declaration(ident, fields, cause))
    created = state.is_new
    uow.flush()
    assert state.id is not None
    return _answer(
        _detail(conn, _visible_asset(conn, principal, state.id)), 201 if created else 200
    )


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
    current = _visible_asset(conn, principal, asset_id)
    check_if_match(request, etag_of(_detail(conn, current), VOLATILE))
    fields = _declared_fields(body)
    if not principal.may_write(current["opd_code"]):
        raise HTTPException(403, f"not allowed to write records of OPD {current['opd_code']!r}")
    if "opd_code" in fields:  # only a changed owner must name a known OPD
        _check_opd(conn, principal, fields["opd_code"])
    _check_facility(conn, fields)
    uow = assets.AssetUnitOfWork(conn, ChangeLog())
    uow.load_ids([asset_id])
    uow.declare(assets.Declaration(Identity(None, None, (), None, None), fields, cause, asset_id))
    uow.flush()
    return _answer(_detail(conn, _visible_asset(conn, principal, asset_id)))


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
    visible = select(ASSET.c.id).where(principal.where(ASSET.c.opd_code))
    where = [SERVICE.c.asset_id.in_(visible)] if principal.opd_codes is not None else []
    for column, value in (
        (SERVICE.c.port, port),
        (SERVICE.c.protocol, protocol),
        (SERVICE.c.name, name),
        (SERVICE.c.asset_id, asset_id),
    ):
        if value is not None:
            where.append(column == value)
    if product:
        where.append(SERVICE.c.product.ilike(like(product), escape="\\"))
    with read_conn(engine) as conn:
        rows, count = list_page(
            conn,
            SERVICE,
            SERVICE_COLUMNS,
            where,
            page,
            ("id", "port", "name", "product", "last_seen"),
        )
    return json_response({"data": rows, "count": count})
