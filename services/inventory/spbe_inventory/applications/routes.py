"""/api/v1/applications. Queries and their OPD scope: `repository.py`."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from spbe_common.api import (
    IdPath,
    Offset,
    with_etag,
)
from spbe_common.events.enums import ApplicationKind, ApplicationStatus, HostingKind, Platform
from spbe_inventory.api.deps import (
    CauseDep,
    ConnDep,
    EngineDep,
    PrincipalDep,
    WriteConnDep,
    read_conn,
)
from spbe_inventory.api.listing import (
    Limit,
    PageDep,
    page_response,
)
from spbe_inventory.history.models import EntityKind
from spbe_inventory.history.routes import history_response

from . import operations
from . import repository as repo
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


@router.get("/{app_id}", response_model=ApplicationDetail)
def get_application(app_id: IdPath, conn: ConnDep, principal: PrincipalDep) -> Response:
    """The application; the ETag header goes into If-Match of a later PATCH."""
    return with_etag(operations.detail(conn, principal, app_id), volatile=operations.VOLATILE)


@router.get("/{app_id}/history")
def application_history(
    app_id: IdPath, conn: ConnDep, principal: PrincipalDep, limit: Limit = 50, offset: Offset = 0
) -> Response:
    operations.visible(conn, principal, app_id)
    return history_response(conn, EntityKind.APPLICATION, app_id, limit, offset)


@router.post("", response_model=ApplicationDetail, status_code=201)
def create_application(
    body: ApplicationCreate, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    application = operations.create(conn, principal, body, cause)
    return with_etag(application, 201, operations.VOLATILE)


@router.patch("/{app_id}", response_model=ApplicationDetail)
def update_application(
    app_id: IdPath,
    body: ApplicationUpdate,
    request: Request,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
) -> Response:
    if_match = request.headers.get("if-match")
    application = operations.update(conn, principal, app_id, body, if_match, cause)
    return with_etag(application, volatile=operations.VOLATILE)
