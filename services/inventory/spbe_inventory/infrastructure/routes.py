"""/api/v1/facilities (data centres, server rooms) and /api/v1/network-links (Jaringan Intra)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response
from sqlalchemy import Table

from spbe_common.api import IdPath, Unprocessable
from spbe_common.events.enums import HostingKind
from spbe_inventory.api.deps import CauseDep, ConnDep, PrincipalDep, WriteConnDep
from spbe_inventory.api.listing import Page, json_response, list_page, page_params
from spbe_inventory.history.models import ChangeAction, EntityKind
from spbe_inventory.history.service import ChangeLog
from spbe_inventory.opd.repository import exists

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
PageDep = Annotated[Page, Depends(page_params)]
FACILITY_COLUMNS = ("id", *FacilityBase.model_fields, "is_sample")
LINK_COLUMNS = ("id", *NetworkLinkBase.model_fields, "is_sample")


def _create(
    conn: ConnDep,
    table: Table,
    entity: EntityKind,
    values: dict[str, object],
    cause: CauseDep,
    columns: tuple[str, ...],
) -> Response:
    row = repo.insert_one(conn, table, {**values, "is_sample": False, "created_at": cause.at})
    changes = ChangeLog()
    changes.record(entity, row["id"], ChangeAction.CREATED, None, values, cause)
    changes.flush(conn)
    return json_response({k: row[k] for k in columns}, 201)


@router.get("/facilities", response_model=FacilitiesPublic)
def list_facilities(conn: ConnDep, page: PageDep, kind: HostingKind | None = None) -> Response:
    where = [repo.FACILITY.c.kind == kind] if kind else []
    rows, count = list_page(
        conn, repo.FACILITY, FACILITY_COLUMNS, where, page, ("id", "name", "kind")
    )
    return json_response({"data": rows, "count": count})


@router.get("/facilities/{facility_id}", response_model=FacilityPublic)
def get_facility(facility_id: IdPath, conn: ConnDep) -> Response:
    row = repo.by_id(conn, repo.FACILITY, facility_id)
    if row is None:
        raise HTTPException(404, f"facility {facility_id} not found")
    return json_response({k: row[k] for k in FACILITY_COLUMNS})


@router.post("/facilities", response_model=FacilityPublic, status_code=201)
def create_facility(
    body: FacilityBase, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    if body.owner_opd_code and not exists(conn, body.owner_opd_code):
        raise Unprocessable(f"unknown OPD code {body.owner_opd_code!r}", ("body", "owner_opd_code"))
    if not principal.may_write(body.owner_opd_code):
        raise HTTPException(403, "not allowed to write this facility")
    if repo.facility_named(conn, body.name):
        raise HTTPException(409, f"facility {body.name!r} already exists")
    return _create(
        conn,
        repo.FACILITY,
        EntityKind.FACILITY,
        body.model_dump(mode="json"),
        cause,
        FACILITY_COLUMNS,
    )


@router.get("/network-links", response_model=NetworkLinksPublic)
def list_network_links(
    conn: ConnDep, principal: PrincipalDep, page: PageDep, opd_code: str | None = None
) -> Response:
    where = [principal.where(repo.NETWORK_LINK.c.opd_code)]
    if opd_code:
        where.append(repo.NETWORK_LINK.c.opd_code == opd_code)
    rows, count = list_page(
        conn, repo.NETWORK_LINK, LINK_COLUMNS, where, page, ("id", "opd_code", "site")
    )
    return json_response({"data": rows, "count": count})


@router.post("/network-links", response_model=NetworkLinkPublic, status_code=201)
def create_network_link(
    body: NetworkLinkBase, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    if not exists(conn, body.opd_code):
        raise Unprocessable(f"unknown OPD code {body.opd_code!r}", ("body", "opd_code"))
    if not principal.may_write(body.opd_code):
        raise HTTPException(403, f"not allowed to write records of OPD {body.opd_code!r}")
    if repo.link_exists(conn, body.opd_code, body.site):
        raise HTTPException(409, f"site {body.site!r} of {body.opd_code} already has a link")
    return _create(
        conn,
        repo.NETWORK_LINK,
        EntityKind.NETWORK_LINK,
        body.model_dump(mode="json"),
        cause,
        LINK_COLUMNS,
    )
