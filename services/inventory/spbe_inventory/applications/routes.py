"""/api/v1/applications."""

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
from spbe_common.db import for_update
from spbe_common.events.enums import ApplicationKind, ApplicationStatus, HostingKind, Platform
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
from spbe_inventory.assets.repository import ASSET
from spbe_inventory.history.models import EntityKind
from spbe_inventory.history.routes import Limit, history_response
from spbe_inventory.history.service import ChangeLog
from spbe_inventory.infrastructure.repository import facility_exists
from spbe_inventory.opd.repository import exists

from . import repository as repo
from . import service
from .models import (
    ApplicationCreate,
    ApplicationDetail,
    ApplicationPublic,
    ApplicationsPublic,
    ApplicationUpdate,
)

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])
APP = repo.APPLICATION
COLUMNS = tuple(ApplicationPublic.model_fields)
SORTABLE = ("id", "name", "opd_code", "kind", "status", "last_probed_at")


@router.get("", response_model=ApplicationsPublic)
async def list_applications(
    engine: EngineDep,
    principal: PrincipalDep,
    page: Annotated[Page, Depends(page_params)],
    opd_code: str | None = None,
    kind: ApplicationKind | None = None,
    platform: Platform | None = None,
    hosting: HostingKind | None = None,
    status: ApplicationStatus | None = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Search name and description")
    ] = None,
) -> Response:
    where = [principal.where(APP.c.opd_code)]
    for column, value in (
        (APP.c.opd_code, opd_code),
        (APP.c.kind, kind),
        (APP.c.platform, platform),
        (APP.c.hosting, hosting),
        (APP.c.status, status),
    ):
        if value is not None:
            where.append(column == value)
    if q:
        pattern = like(q.lower())
        where.append(
            or_(
                APP.c.name.ilike(pattern, escape="\\"),
                APP.c.description.ilike(pattern, escape="\\"),
            )
        )
    with read_conn(engine) as conn:
        rows, count = list_page(conn, APP, COLUMNS, where, page, SORTABLE)
    return json_response({"data": rows, "count": count})


# Probes move these on every round; they are not what a person edits.
VOLATILE = frozenset({"probe", "last_probed_at"})


def _visible(conn: Connection, principal: Principal, app_id: int) -> dict[str, Any]:
    query = select(APP).where(APP.c.id == app_id, principal.where(APP.c.opd_code))
    row = conn.execute(for_update(conn, query)).mappings().first()
    if row is None:
        raise HTTPException(404, f"application {app_id} not found")
    return dict(row)


def _detail(conn: Connection, principal: Principal, app_id: int) -> dict[str, Any]:
    row = _visible(conn, principal, app_id)
    return {**{k: row[k] for k in COLUMNS}, "asset_ids": repo.asset_ids(conn, app_id)}


@router.get("/{app_id}", response_model=ApplicationDetail)
def get_application(app_id: IdPath, conn: ConnDep, principal: PrincipalDep) -> Response:
    """The application; the ETag header goes into If-Match of a later PATCH."""
    return with_etag(_detail(conn, principal, app_id), volatile=VOLATILE)


@router.get("/{app_id}/history")
def application_history(
    app_id: IdPath, conn: ConnDep, principal: PrincipalDep, limit: Limit = 50, offset: Offset = 0
) -> Response:
    _visible(conn, principal, app_id)
    return history_response(conn, EntityKind.APPLICATION, app_id, limit, offset)


def _check_refs(
    conn: Connection,
    principal: Principal,
    opd_code: str,
    asset_ids: list[int] | None,
    facility_id: QueryId = None,
) -> None:
    if not exists(conn, opd_code):
        raise Unprocessable(f"unknown OPD code {opd_code!r}", ("body", "opd_code"))
    if not principal.may_write(opd_code):
        raise HTTPException(403, f"not allowed to write records of OPD {opd_code!r}")
    if facility_id is not None and not facility_exists(conn, facility_id):
        raise Unprocessable(f"unknown facility id {facility_id}", ("body", "facility_id"))
    if asset_ids:
        found = set(conn.execute(select(ASSET.c.id).where(ASSET.c.id.in_(asset_ids))).scalars())
        if missing := sorted(set(asset_ids) - found):
            raise Unprocessable(f"unknown asset ids: {missing}", ("body", "asset_ids"))


@router.post("", response_model=ApplicationDetail, status_code=201)
def create_application(
    body: ApplicationCreate, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    _check_refs(conn, principal, body.opd_code, body.asset_ids, body.facility_id)
    if repo.by_keys(conn, [(body.opd_code, body.name)]):
        raise HTTPException(409, f"application {body.name!r} of {body.opd_code} already exists")
    changes = ChangeLog()
    app_id = service.create(conn, changes, body.model_dump(mode="json"), cause)
    changes.flush(conn)
    return with_etag(_detail(conn, principal, app_id), 201, VOLATILE)


@router.patch("/{app_id}", response_model=ApplicationDetail)
def update_application(
    app_id: IdPath,
    body: ApplicationUpdate,
    request: Request,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
) -> Response:
    row = _visible(conn, principal, app_id)
    check_if_match(request, etag_of(_detail(conn, principal, app_id), VOLATILE))
    _check_refs(conn, principal, row["opd_code"], body.asset_ids, body.facility_id)
    fields = {
        **body.model_dump(mode="json", exclude_unset=True),
        "name": row["name"],
        "opd_code": row["opd_code"],
    }
    changes = ChangeLog()
    service.declare(conn, changes, fields, cause)
    changes.flush(conn)
    return with_etag(_detail(conn, principal, app_id), volatile=VOLATILE)
