"""/api/v1/assets and /api/v1/services. Queries and their OPD scope: `repository.py`, and the
asset list's `spbe_inventory.listing_repository.asset_page`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from spbe_common.api import (
    INT64_MAX,
    IdPath,
    Offset,
    QueryId,
    with_etag,
)
from spbe_common.events.enums import AssetCondition, AssetKind, Lifecycle, Protocol
from spbe_inventory.api.deps import (
    CauseDep,
    ConnDep,
    EngineDep,
    PrincipalDep,
    WriteConnDep,
    principal_of,
    read_conn,
)
from spbe_inventory.api.listing import (
    Limit,
    PageDep,
    page_json_response,
    page_response,
    query_of,
    query_parameters,
)
from spbe_inventory.history.models import EntityKind
from spbe_inventory.history.routes import history_response
from spbe_inventory.listing_repository import MAX_LIMIT, Page, PageJson, asset_page

from . import operations
from . import repository as repo
from .models import AssetCreate, AssetDetail, AssetsPublic, AssetUpdate, ServicesPublic

router = APIRouter(prefix="/api/v1", tags=["assets"])


class AssetListQuery(BaseModel):
    """The query of GET /api/v1/assets."""

    model_config = ConfigDict(extra="ignore")

    opd_code: str | None = None
    kind: AssetKind | None = None
    lifecycle: Lifecycle | None = None
    condition: AssetCondition | None = None
    scope: str | None = None
    address: str | None = None
    q: str | None = Field(
        None,
        max_length=100,
        description="An IPv4 address or its beginning (10.36.4.) finds addresses that start"
        " with it; other text searches name, hostname, address and MAC",
    )
    cursor: int | None = Field(
        None,
        ge=0,
        le=INT64_MAX,
        description="Keyset paging for deep pages: the X-Next-Cursor header of the previous"
        " page (id order only); the page starts after it, `offset` then counts from there",
    )
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description="Rows per page")
    offset: int = Field(0, ge=0, le=INT64_MAX, description="Rows to skip")
    sort: str | None = Field(None, description="Field to sort by; prefix '-' to descend")


@router.get(
    "/assets",
    response_model=AssetsPublic,
    openapi_extra={"parameters": query_parameters(AssetListQuery)},
)
async def list_assets(request: Request) -> Response:
    """A page of assets and the count of all that match. A full page in id order carries the
    cursor of the next one in its `X-Next-Cursor` header."""
    return await asset_list(request)


async def asset_list(request: Request) -> Response:
    """The answer of GET /api/v1/assets. The hottest route: answered ahead of the router
    (`spbe_inventory.api.hot`), its query validated in one step (`query_of`), its rows read as
    JSON text (`listing_repository.asset_page`), on SQLite on the event loop (`read_conn`)."""
    query = query_of(request, AssetListQuery)
    filters = {
        "opd_code": query.opd_code,
        "kind": query.kind,
        "lifecycle": query.lifecycle,
        "condition": query.condition,
        "scope": query.scope,
        "address": query.address,
    }
    page = Page(query.limit, query.offset, query.sort)
    engine, principal = request.app.state.engine, principal_of(request)

    def read() -> PageJson:
        with read_conn(engine) as conn:
            return asset_page(conn, principal, page, filters, query.q, query.cursor)

    # SQLite is a local file read in well under a millisecond: on the event loop. A database
    # across the network (or a pool that is momentarily empty) must not stall the loop.
    found = read() if engine.dialect.name == "sqlite" else await run_in_threadpool(read)
    return page_json_response(found, page)


def _answer(asset: dict[str, Any], status_code: int = 200) -> Response:
    return with_etag(asset, status_code, operations.VOLATILE)


@router.get("/assets/{asset_id}", response_model=AssetDetail)
def get_asset(asset_id: IdPath, conn: ConnDep, principal: PrincipalDep) -> Response:
    """The asset with its services; the ETag header goes into If-Match of a later PATCH."""
    return _answer(operations.detail(conn, principal, asset_id))


@router.get("/assets/{asset_id}/history")
def asset_history(
    asset_id: IdPath, conn: ConnDep, principal: PrincipalDep, limit: Limit = 50, offset: Offset = 0
) -> Response:
    operations.visible(conn, principal, asset_id)
    return history_response(conn, EntityKind.ASSET, asset_id, limit, offset)


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
    asset, created = operations.declare(conn, principal, body, cause)
    return _answer(asset, 201 if created else 200)


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
    if_match = request.headers.get("if-match")
    return _answer(operations.update(conn, principal, asset_id, body, if_match, cause))


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
