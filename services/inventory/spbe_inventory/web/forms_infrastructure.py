"""The forms of the infrastructure: facilities (Pusat Data, server rooms) and intra-network
links, declared and edited through `infrastructure.operations` as the API's routes are (see
`forms` for how a form saves and refuses)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from spbe_common.api import IdPath
from spbe_inventory.api.deps import CauseDep, ConnDep, PrincipalDep, WriteConnDep
from spbe_inventory.infrastructure import operations as infrastructure
from spbe_inventory.infrastructure.models import (
    FacilityBase,
    FacilityUpdate,
    NetworkLinkBase,
    NetworkLinkUpdate,
)

from .form_fields import FACILITY, LINK
from .forms import Editing, FormDep, Forms

router = APIRouter(include_in_schema=False)

FACILITY_FORMS = Forms(
    "/katalog/fasilitas/baru",
    "/katalog/fasilitas",
    FACILITY,
    FacilityBase,
    infrastructure.create_facility,
    "/katalog/fasilitas/{id}",
    Editing(
        FACILITY.edited(),
        infrastructure.writable_facility,
        infrastructure.version,
        FacilityUpdate,
        infrastructure.update_facility,
    ),
)
LINK_FORMS = Forms(
    "/katalog/jaringan/baru",
    "/katalog/jaringan",
    LINK,
    NetworkLinkBase,
    infrastructure.create_link,
    "/katalog/opd/{opd_code}",
    Editing(
        LINK.edited(),
        infrastructure.link,
        infrastructure.version,
        NetworkLinkUpdate,
        infrastructure.update_link,
    ),
    page="/katalog/jaringan/{id}",
)


# --- routes: each a line, with its own path parameter and dependencies -------------------------
@router.get(FACILITY_FORMS.new)
def new_facility(request: Request, conn: ConnDep, principal: PrincipalDep) -> Response:
    return FACILITY_FORMS.blank(request, conn, principal)


@router.post(FACILITY_FORMS.new)
def declare_facility(
    request: Request, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep, form: FormDep
) -> Response:
    return FACILITY_FORMS.declare(request, conn, principal, cause, form)


@router.get("/katalog/fasilitas/{facility_id}/ubah")
def edit_facility(
    facility_id: IdPath, request: Request, conn: ConnDep, principal: PrincipalDep
) -> Response:
    return FACILITY_FORMS.edit(request, conn, principal, facility_id)


@router.post("/katalog/fasilitas/{facility_id}/ubah")
def update_facility(
    facility_id: IdPath,
    request: Request,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
    form: FormDep,
) -> Response:
    return FACILITY_FORMS.update(request, conn, principal, cause, form, facility_id)


@router.get(LINK_FORMS.new)
def new_link(request: Request, conn: ConnDep, principal: PrincipalDep) -> Response:
    return LINK_FORMS.blank(request, conn, principal)


@router.post(LINK_FORMS.new)
def declare_link(
    request: Request, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep, form: FormDep
) -> Response:
    return LINK_FORMS.declare(request, conn, principal, cause, form)


@router.get("/katalog/jaringan/{link_id}/ubah")
def edit_link(
    link_id: IdPath, request: Request, conn: ConnDep, principal: PrincipalDep
) -> Response:
    return LINK_FORMS.edit(request, conn, principal, link_id)


@router.post("/katalog/jaringan/{link_id}/ubah")
def update_link(
    link_id: IdPath,
    request: Request,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
    form: FormDep,
) -> Response:
    return LINK_FORMS.update(request, conn, principal, cause, form, link_id)
