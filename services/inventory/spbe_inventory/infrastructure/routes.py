"""/api/v1/facilities (data centres, server rooms) and /api/v1/network-links (Jaringan Intra).
Queries and their OPD scope: `repository.py`."""

from fastapi import APIRouter
from fastapi.responses import Response

from spbe_common.api import IdPath
from spbe_common.events.enums import HostingKind
from spbe_inventory.api.deps import CauseDep, ConnDep, PrincipalDep, WriteConnDep
from spbe_inventory.api.listing import PageDep, found, json_response, page_response

from . import operations
from . import repository as repo
from .models import (
    FacilitiesPublic,
    FacilityBase,
    FacilityPublic,
    NetworkLinkBase,
    NetworkLinkPublic,
    NetworkLinksPublic,
)

router = APIRouter(prefix="/api/v1", tags=["infrastructure"])


@router.get("/facilities", response_model=FacilitiesPublic)
def list_facilities(
    conn: ConnDep, principal: PrincipalDep, page: PageDep, kind: HostingKind | None = None
) -> Response:
    return page_response(repo.facilities_page(conn, principal, page, kind))


@router.get("/facilities/{facility_id}", response_model=FacilityPublic)
def get_facility(facility_id: IdPath, conn: ConnDep) -> Response:
    row = found(repo.facility_visible(conn, facility_id), f"facility {facility_id} not found")
    return json_response({k: row[k] for k in repo.FACILITY_COLUMNS})


@router.post("/facilities", response_model=FacilityPublic, status_code=201)
def create_facility(
    body: FacilityBase, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    return json_response(operations.create_facility(conn, principal, body, cause), 201)


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
