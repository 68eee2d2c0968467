"""/api/v1/facilities (data centres, server rooms) and /api/v1/network-links (Jaringan Intra).
Queries and their OPD scope: `repository.py`."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from spbe_common.api import IdPath, Offset, with_etag
from spbe_common.events.enums import HostingKind
from spbe_inventory.api.deps import CauseDep, ConnDep, PrincipalDep, WriteConnDep
from spbe_inventory.api.listing import Limit, PageDep, json_response, page_response
from spbe_inventory.history.models import EntityKind
from spbe_inventory.history.routes import history_response

from . import operations
from . import repository as repo
from .models import (
    FacilitiesPublic,
    FacilityBase,
    FacilityPublic,
    FacilityUpdate,
    NetworkLinkBase,
    NetworkLinkPublic,
    NetworkLinksPublic,
    NetworkLinkUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["infrastructure"])


@router.get("/facilities", response_model=FacilitiesPublic)
def list_facilities(
    conn: ConnDep, principal: PrincipalDep, page: PageDep, kind: HostingKind | None = None
) -> Response:
    return page_response(repo.facilities_page(conn, principal, page, kind))


@router.get("/facilities/{facility_id}", response_model=FacilityPublic)
def get_facility(facility_id: IdPath, conn: ConnDep) -> Response:
    """The facility; the ETag header goes into If-Match of a later PATCH."""
    return with_etag(operations.facility(conn, facility_id))


@router.get("/facilities/{facility_id}/history")
def facility_history(
    facility_id: IdPath, conn: ConnDep, limit: Limit = 50, offset: Offset = 0
) -> Response:
    operations.facility(conn, facility_id)  # shared, as the facility itself
    return history_response(conn, EntityKind.FACILITY, facility_id, limit, offset)


@router.post("/facilities", response_model=FacilityPublic, status_code=201)
def create_facility(
    body: FacilityBase, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    return json_response(operations.create_facility(conn, principal, body, cause), 201)


@router.patch("/facilities/{facility_id}", response_model=FacilityPublic)
def update_facility(
    facility_id: IdPath,
    body: FacilityUpdate,
    request: Request,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
) -> Response:
    """Changes the fields given (404 when its owner OPD is outside the caller's scope). With
    `If-Match: <ETag of GET>` a record changed since it was read answers 412, nothing written."""
    if_match = request.headers.get("if-match")
    facility = operations.update_facility(conn, principal, facility_id, body, if_match, cause)
    return with_etag(facility)


@router.get("/network-links", response_model=NetworkLinksPublic)
def list_network_links(
    conn: ConnDep, principal: PrincipalDep, page: PageDep, opd_code: str | None = None
) -> Response:
    return page_response(repo.links_page(conn, principal, page, opd_code))


@router.post("/network-links", response_model=NetworkLinkPublic, status_code=201)
def create_network_link(
    body: NetworkLinkBase, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    return json_response(operations.create_link(conn, principal, body, cause), 201)


@router.get("/network-links/{link_id}", response_model=NetworkLinkPublic)
def get_network_link(link_id: IdPath, conn: ConnDep, principal: PrincipalDep) -> Response:
    """The link; the ETag header goes into If-Match of a later PATCH."""
    return with_etag(operations.link(conn, principal, link_id))


@router.get("/network-links/{link_id}/history")
def network_link_history(
    link_id: IdPath, conn: ConnDep, principal: PrincipalDep, limit: Limit = 50, offset: Offset = 0
) -> Response:
    operations.link(conn, principal, link_id)
    return history_response(conn, EntityKind.NETWORK_LINK, link_id, limit, offset)


@router.patch("/network-links/{link_id}", response_model=NetworkLinkPublic)
def update_network_link(
    link_id: IdPath,
    body: NetworkLinkUpdate,
    request: Request,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
) -> Response:
    """Changes the fields given (404 outside the caller's scope). With `If-Match: <ETag of
    GET>` a record changed since it was read answers 412 and nothing is written."""
    if_match = request.headers.get("if-match")
    return with_etag(operations.update_link(conn, principal, link_id, body, if_match, cause))
