"""/api/v1/facilities (data centres, server rooms) and /api/v1/network-links (Jaringan Intra).
Queries and their OPD scope: `repository.py`."""

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response
from sqlalchemy import Connection, Table

from spbe_common.api import IdPath
from spbe_common.events.enums import HostingKind
from spbe_inventory.api.deps import CauseDep, ConnDep, PrincipalDep, WriteConnDep
from spbe_inventory.api.listing import PageDep, check_opd, found, json_response, page_response
from spbe_inventory.history.models import ChangeAction, EntityKind
from spbe_inventory.history.service import Cause, ChangeLog

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


def _create(
    conn: Connection,
    table: Table,
    entity: EntityKind,
    values: dict[str, object],
    cause: Cause,
    columns: tuple[str, ...],
) -> Response:
    row = repo.insert_one(conn, table, {**values, "is_sample": False, "created_at": cause.at})
    changes = ChangeLog()
    changes.record(entity, row["id"], ChangeAction.CREATED, None, values, cause)
    changes.flush(conn)
    return json_response({k: row[k] for k in columns}, 201)


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
    check_opd(conn, principal, body.owner_opd_code, "owner_opd_code")
    if repo.facility_named(conn, body.name):
        raise HTTPException(409, f"facility {body.name!r} already exists")
    values = body.model_dump(mode="json")
    return _create(conn, repo.FACILITY, EntityKind.FACILITY, values, cause, repo.FACILITY_COLUMNS)


@router.get("/network-links", response_model=NetworkLinksPublic)
def list_network_links(
    conn: ConnDep, principal: PrincipalDep, page: PageDep, opd_code: str | None = None
) -> Response:
    return page_response(repo.links_page(conn, principal, page, opd_code))


@router.post("/network-links", response_model=NetworkLinkPublic, status_code=201)
def create_network_link(
    body: NetworkLinkBase, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    check_opd(conn, principal, body.opd_code)
    if repo.link_exists(conn, body.opd_code, body.site):
        raise HTTPException(409, f"site {body.site!r} of {body.opd_code} already has a link")
    values = body.model_dump(mode="json")
    return _create(
        conn, repo.NETWORK_LINK, EntityKind.NETWORK_LINK, values, cause, repo.LINK_COLUMNS
    )
