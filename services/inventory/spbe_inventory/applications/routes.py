"""/api/v1/applications. Queries and their OPD scope: `repository.py`."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from spbe_common.api import (
    IdPath,
    Offset,
    Unprocessable,
    check_if_match,
    etag_of,
    with_etag,
)
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
from spbe_inventory.api.listing import (
    Limit,
    PageDep,
    check_facility,
    check_opd,
    found,
    page_response,
)
from spbe_inventory.assets import repository as assets
from spbe_inventory.history.models import EntityKind
from spbe_inventory.history.routes import history_response
from spbe_inventory.history.service import ChangeLog

from . import repository as repo
from . import service
from .models import (
    ApplicationCreate,
    ApplicationDetail,
    ApplicationsPublic,
    ApplicationUpdate,
)

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])


@router.get("", response_model=ApplicationsPublic)
async def list_applications(
    engine: EngineDep,
    principal: PrincipalDep,
    page: PageDep,
    opd_code: str | None = None,
    kind: ApplicationKind | None = None,
    platform: Platform | None = None,
    hosting: HostingKind | None = None,
    status: ApplicationStatus | None = None,
    q: Annotated[
        str | None, Query(max_length=100, description="Search name and description")
    ] = None,
) -> Response:
    filters = {
        "opd_code": opd_code,
        "kind": kind,
        "platform": platform,
        "hosting": hosting,
        "status": status,
    }
    with read_conn(engine) as conn:
        return page_response(repo.page_of(conn, principal, page, filters, q))


# Probes move these on every round; they are not what a person edits.
VOLATILE = frozenset({"probe", "last_probed_at"})


def _visible(conn: Connection, principal: Principal, app_id: int) -> dict[str, Any]:
    return found(repo.visible(conn, principal, app_id), f"application {app_id} not found")


def _detail(conn: Connection, principal: Principal, app_id: int) -> dict[str, Any]:
    row = _visible(conn, principal, app_id)
    return {**{k: row[k] for k in repo.COLUMNS}, "asset_ids": repo.asset_ids(conn, app_id)}


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
