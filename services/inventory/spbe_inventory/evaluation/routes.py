"""/api/v1/evaluation/... (facts for the SPBE / Pemdi scorer) and /api/v1/catalogue/snapshot."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import Response
from sqlalchemy import Connection, Table

from spbe_common.api import IdPath, Offset, QueryId, Unprocessable
from spbe_common.catalogue import AuditKind, CatalogueSnapshot, ReviewSubject
from spbe_inventory.api.deps import CauseDep, ConnDep, Principal, PrincipalDep, WriteConnDep
from spbe_inventory.api.listing import Page, json_response, list_page, page_params
from spbe_inventory.db import utcnow
from spbe_inventory.history.routes import Limit
from spbe_inventory.infrastructure.repository import FACILITY

from . import repository as repo
from . import service
from .models import (
    SECTOR_CODE,
    ApplicationPracticeIn,
    ApplicationPracticePublic,
    ApplicationPracticesPublic,
    AuditBase,
    AuditPublic,
    AuditsPublic,
    AuditUpdate,
    EvaluationEntity,
    EvaluationProfileBase,
    FacilityUseBase,
    FacilityUsePublic,
    FacilityUsesPublic,
    ReviewBase,
    ReviewPublic,
    ReviewsPublic,
    ReviewUpdate,
    ServiceBusCreate,
    ServiceBusesPublic,
    ServiceBusPublic,
    ServiceBusUpdate,
)
from .snapshot import build_snapshot

router = APIRouter(prefix="/api/v1", tags=["evaluation"])
PageDep = Annotated[Page, Depends(page_params)]
AUDIT_COLUMNS = ("id", *AuditBase.model_fields)
REVIEW_COLUMNS = ("id", *ReviewBase.model_fields)
BUS_COLUMNS = ("id", "name", "opd_code", "facility_id", "splp_integrated", "apis")
USE_COLUMNS = ("id", *FacilityUseBase.model_fields)
PRACTICE_FIELDS = tuple(ApplicationPracticeIn.model_fields)
PROFILE_FIELDS = tuple(EvaluationProfileBase.model_fields)
SECTOR_PATTERN = re.compile(SECTOR_CODE)


def _pick(row: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    return {k: row[k] for k in columns}


def _check_opd(conn: Connection, principal: Principal, code: str) -> None:
    if not repo.opd_codes_in(conn, [code]):
        raise Unprocessable(f"unknown OPD code {code!r}", ("body", "opd_code"))
    if not principal.may_write(code):
        raise HTTPException(403, f"not allowed to write records of OPD {code!r}")


def _visible(
    conn: Connection, principal: Principal, table: Table, row_id: int, what: str
) -> dict[str, Any]:
    row = repo.by_id(conn, table, row_id, principal.where(table.c.opd_code))
    if row is None:
        raise HTTPException(404, f"{what} {row_id} not found")
    return row


def _history(
    conn: Connection, entity: EvaluationEntity, row_id: int, limit: int, offset: int
) -> Response:
    rows, count = repo.history(conn, entity, row_id, limit, offset)
    return json_response({"data": rows, "count": count})


# --- audits ---------------------------------------------------------------------------------


@router.get("/evaluation/audits", response_model=AuditsPublic)
def list_audits(
    conn: ConnDep, principal: PrincipalDep, page: PageDep, kind: AuditKind | None = None
) -> Response:
    where = [principal.where(repo.AUDIT.c.opd_code)]
    if kind is not None:
        where.append(repo.AUDIT.c.kind == kind)
    sortable = ("id", "audited_on", "kind")
    rows, count = list_page(conn, repo.AUDIT, AUDIT_COLUMNS, where, page, sortable)
    return json_response({"data": rows, "count": count})


@router.post("/evaluation/audits", response_model=AuditPublic, status_code=201)
def create_audit(
    body: AuditBase, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    _check_opd(conn, principal, body.opd_code)
    row = service.create(conn, repo.AUDIT, EvaluationEntity.AUDIT, body.model_dump(), cause)
    return json_response(_pick(row, AUDIT_COLUMNS), 201)


@router.patch("/evaluation/audits/{audit_id}", response_model=AuditPublic)
def update_audit(
    audit_id: IdPath,
    body: AuditUpdate,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
) -> Response:
    row = _visible(conn, principal, repo.AUDIT, audit_id, "audit")
    values = body.model_dump(exclude_unset=True)
    service.update(conn, repo.AUDIT, EvaluationEntity.AUDIT, row, values, cause)
    row = _visible(conn, principal, repo.AUDIT, audit_id, "audit")
    return json_response(_pick(row, AUDIT_COLUMNS))


@router.get("/evaluation/audits/{audit_id}/history")
def audit_history(
    audit_id: IdPath, conn: ConnDep, principal: PrincipalDep, limit: Limit = 50, offset: Offset = 0
) -> Response:
    _visible(conn, principal, repo.AUDIT, audit_id, "audit")
    return _history(conn, EvaluationEntity.AUDIT, audit_id, limit, offset)


# --- reviews --------------------------------------------------------------------------------


@router.get("/evaluation/reviews", response_model=ReviewsPublic)
def list_reviews(
    conn: ConnDep, principal: PrincipalDep, page: PageDep, subject: ReviewSubject | None = None
) -> Response:
    where = [principal.where(repo.REVIEW.c.opd_code)]
    if subject is not None:
        where.append(repo.REVIEW.c.subject == subject)
    sortable = ("id", "reviewed_on", "subject")
    rows, count = list_page(conn, repo.REVIEW, REVIEW_COLUMNS, where, page, sortable)
    return json_response({"data": rows, "count": count})


@router.post("/evaluation/reviews", response_model=ReviewPublic, status_code=201)
def create_review(
    body: ReviewBase, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    _check_opd(conn, principal, body.opd_code)
    row = service.create(conn, repo.REVIEW, EvaluationEntity.REVIEW, body.model_dump(), cause)
    return json_response(_pick(row, REVIEW_COLUMNS), 201)


@router.patch("/evaluation/reviews/{review_id}", response_model=ReviewPublic)
def update_review(
    review_id: IdPath,
    body: ReviewUpdate,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
) -> Response:
    row = _visible(conn, principal, repo.REVIEW, review_id, "review")
    values = body.model_dump(exclude_unset=True)
    service.update(conn, repo.REVIEW, EvaluationEntity.REVIEW, row, values, cause)
    row = _visible(conn, principal, repo.REVIEW, review_id, "review")
    return json_response(_pick(row, REVIEW_COLUMNS))


@router.get("/evaluation/reviews/{review_id}/history")
def review_history(
    review_id: IdPath, conn: ConnDep, principal: PrincipalDep, limit: Limit = 50, offset: Offset = 0
) -> Response:
    _visible(conn, principal, repo.REVIEW, review_id, "review")
    return _history(conn, EvaluationEntity.REVIEW, review_id, limit, offset)


# --- service buses (SPL) and the applications that use them ----------------------------------


def _check_bus_refs(conn: Connection, facility_id: int | None, app_ids: list[int] | None) -> None:
    if facility_id is not None and not repo.existing_ids(conn, FACILITY, [facility_id]):
        raise Unprocessable(f"unknown facility id {facility_id}", ("body", "facility_id"))
    if app_ids:
        missing = sorted(set(app_ids) - set(repo.application_opds(conn, app_ids)))
        if missing:
            raise Unprocessable(f"unknown application ids: {missing}", ("body", "application_ids"))


def _bus_public(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    linked = repo.bus_application_ids(conn, [r["id"] for r in rows])
    return [{**_pick(r, BUS_COLUMNS), "application_ids": linked[r["id"]]} for r in rows]


@router.get("/evaluation/service-buses", response_model=ServiceBusesPublic)
def list_service_buses(conn: ConnDep, principal: PrincipalDep, page: PageDep) -> Response:
    where = [principal.where(repo.SERVICE_BUS.c.opd_code)]
    rows, count = list_page(conn, repo.SERVICE_BUS, BUS_COLUMNS, where, page, ("id", "name"))
    return json_response({"data": _bus_public(conn, rows), "count": count})


@router.post("/evaluation/service-buses", response_model=ServiceBusPublic, status_code=201)
def create_service_bus(
    body: ServiceBusCreate, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    _check_opd(conn, principal, body.opd_code)
    _check_bus_refs(conn, body.facility_id, body.application_ids)
    if repo.count(conn, repo.SERVICE_BUS, repo.SERVICE_BUS.c.name == body.name):
        raise HTTPException(409, f"service bus {body.name!r} already exists")
    values = body.model_dump(exclude={"application_ids"})
    app_ids = sorted(set(body.application_ids))
    extra = {"application_ids": app_ids}
    entity = EvaluationEntity.SERVICE_BUS
    row = service.create(conn, repo.SERVICE_BUS, entity, values, cause, extra)
    service.set_bus_applications(conn, row["id"], app_ids, cause, created=True)
    return json_response(_bus_public(conn, [row])[0], 201)


@router.patch("/evaluation/service-buses/{bus_id}", response_model=ServiceBusPublic)
def update_service_bus(
    bus_id: IdPath,
    body: ServiceBusUpdate,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
) -> Response:
    row = _visible(conn, principal, repo.SERVICE_BUS, bus_id, "service bus")
    _check_bus_refs(conn, body.facility_id, body.application_ids)
    values = body.model_dump(exclude_unset=True, exclude={"application_ids"})
    service.update(conn, repo.SERVICE_BUS, EvaluationEntity.SERVICE_BUS, row, values, cause)
    if body.application_ids is not None:
        service.set_bus_applications(conn, bus_id, body.application_ids, cause)
    row = _visible(conn, principal, repo.SERVICE_BUS, bus_id, "service bus")
    return json_response(_bus_public(conn, [row])[0])


@router.get("/evaluation/service-buses/{bus_id}/history")
def service_bus_history(
    bus_id: IdPath, conn: ConnDep, principal: PrincipalDep, limit: Limit = 50, offset: Offset = 0
) -> Response:
    _visible(conn, principal, repo.SERVICE_BUS, bus_id, "service bus")
    return _history(conn, EvaluationEntity.SERVICE_BUS, bus_id, limit, offset)


# --- application development practice (one record per application) --------------------------


def _application_opd(conn: Connection, principal: Principal, app_id: int) -> str:
    opd = repo.application_opds(conn, [app_id]).get(app_id)
    if opd is None or not principal.may_write(opd):
        raise HTTPException(404, f"application {app_id} not found")
    return opd


def _practice_public(row: dict[str, Any], opd_code: str) -> dict[str, Any]:
    return {**_pick(row, ("application_id", *PRACTICE_FIELDS)), "opd_code": opd_code}


@router.get("/evaluation/application-practices", response_model=ApplicationPracticesPublic)
def list_application_practices(conn: ConnDep, principal: PrincipalDep, page: PageDep) -> Response:
    where = [repo.practices_of_applications(principal.where(repo.APPLICATION.c.opd_code))]
    columns = ("application_id", *PRACTICE_FIELDS)
    rows, count = list_page(conn, repo.PRACTICE, columns, where, page, ("application_id",))
    opds = repo.application_opds(conn, [r["application_id"] for r in rows])
    data = [_practice_public(r, opds[r["application_id"]]) for r in rows]
    return json_response({"data": data, "count": count})


@router.get("/evaluation/application-practices/{app_id}", response_model=ApplicationPracticePublic)
def get_application_practice(app_id: IdPath, conn: ConnDep, principal: PrincipalDep) -> Response:
    opd = _application_opd(conn, principal, app_id)
    row = repo.by_id(conn, repo.PRACTICE, app_id)
    if row is None:
        raise HTTPException(404, f"no development practice recorded for application {app_id}")
    return json_response(_practice_public(row, opd))


@router.put("/evaluation/application-practices/{app_id}", response_model=ApplicationPracticePublic)
def put_application_practice(
    app_id: IdPath,
    body: ApplicationPracticeIn,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
) -> Response:
    opd = _application_opd(conn, principal, app_id)
    stages = [d.stage for d in body.documents]
    if len(set(stages)) != len(stages):
        raise Unprocessable(
            "one development document per life-cycle stage", ("body", "development_documents")
        )
    current = repo.by_id(conn, repo.PRACTICE, app_id)
    values = body.model_dump(mode="json")
    entity = EvaluationEntity.APPLICATION_PRACTICE
    service.put_singleton(conn, repo.PRACTICE, entity, app_id, current, values, cause)
    return json_response(_practice_public({**values, "application_id": app_id}, opd))


@router.get("/evaluation/application-practices/{app_id}/history")
def application_practice_history(
    app_id: IdPath, conn: ConnDep, principal: PrincipalDep, limit: Limit = 50, offset: Offset = 0
) -> Response:
    _application_opd(conn, principal, app_id)
    return _history(conn, EvaluationEntity.APPLICATION_PRACTICE, app_id, limit, offset)


# --- which OPD use a facility ----------------------------------------------------------------


@router.get("/evaluation/facility-uses", response_model=FacilityUsesPublic)
def list_facility_uses(
    conn: ConnDep, principal: PrincipalDep, page: PageDep, facility_id: QueryId = None
) -> Response:
    where = [principal.where(repo.FACILITY_USE.c.opd_code)]
    if facility_id is not None:
        where.append(repo.FACILITY_USE.c.facility_id == facility_id)
    sortable = ("id", "facility_id", "opd_code")
    rows, count = list_page(conn, repo.FACILITY_USE, USE_COLUMNS, where, page, sortable)
    return json_response({"data": rows, "count": count})


@router.post("/evaluation/facility-uses", response_model=FacilityUsePublic, status_code=201)
def create_facility_use(
    body: FacilityUseBase, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    _check_opd(conn, principal, body.opd_code)
    if not repo.existing_ids(conn, FACILITY, [body.facility_id]):
        raise Unprocessable(f"unknown facility id {body.facility_id}", ("body", "facility_id"))
    use = repo.FACILITY_USE.c
    if repo.count(
        conn, repo.FACILITY_USE, use.facility_id == body.facility_id, use.opd_code == body.opd_code
    ):
        raise HTTPException(409, f"{body.opd_code} already uses facility {body.facility_id}")
    entity = EvaluationEntity.FACILITY_USE
    row = service.create(conn, repo.FACILITY_USE, entity, body.model_dump(), cause)
    return json_response(_pick(row, USE_COLUMNS), 201)


@router.delete("/evaluation/facility-uses/{use_id}", status_code=204)
def delete_facility_use(
    use_id: IdPath, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    row = _visible(conn, principal, repo.FACILITY_USE, use_id, "facility use")
    if not principal.may_write(row["opd_code"]):
        raise HTTPException(403, f"not allowed to write records of OPD {row['opd_code']!r}")
    service.delete(conn, repo.FACILITY_USE, EvaluationEntity.FACILITY_USE, row, cause)
    return Response(status_code=204)


# --- the Pemda-wide profile --------------------------------------------------------------------


@router.get("/evaluation/profile", response_model=EvaluationProfileBase)
def get_profile(conn: ConnDep) -> Response:
    row = repo.profile(conn)
    body = _pick(row, PROFILE_FIELDS) if row else EvaluationProfileBase().model_dump()
    return json_response(body)


@router.put("/evaluation/profile", response_model=EvaluationProfileBase)
def put_profile(
    body: EvaluationProfileBase, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    if principal.opd_codes is not None:
        raise HTTPException(403, "only a Pemda-wide principal may change the evaluation profile")
    codes = [*body.asset_strategy_opds, *([body.ict_opd_code] if body.ict_opd_code else [])]
    if unknown := sorted(set(codes) - repo.opd_codes_in(conn, codes)):
        raise Unprocessable(f"unknown OPD codes: {unknown}", ("body",))
    _check_sectors(body.public_sectors)
    values = body.model_dump(mode="json")
    entity = EvaluationEntity.PROFILE
    current = repo.profile(conn)
    service.put_singleton(conn, repo.PROFILE, entity, repo.PROFILE_ID, current, values, cause)
    return json_response(values)


def _check_sectors(sectors: list[str]) -> None:
    bad = [s for s in sectors if not SECTOR_PATTERN.fullmatch(s)]
    if bad:
        detail = f"sector codes are lower-case words, as in publik_sektor:<sector>: {bad}"
        raise Unprocessable(detail, ("body",))
    if len(set(sectors)) != len(sectors):
        raise Unprocessable("a public sector is chosen once", ("body",))


@router.get("/evaluation/profile/history")
def profile_history(conn: ConnDep, limit: Limit = 50, offset: Offset = 0) -> Response:
    return _history(conn, EvaluationEntity.PROFILE, repo.PROFILE_ID, limit, offset)


# --- the catalogue snapshot the scorer reads ---------------------------------------------------


@router.get("/catalogue/snapshot", response_model=CatalogueSnapshot, tags=["catalogue"])
def catalogue_snapshot(conn: ConnDep, principal: PrincipalDep) -> Response:
    """Every fact the SPBE / Pemdi derivation rules read, in one document (schema_version 1)."""
    return json_response(build_snapshot(conn, principal, utcnow()))
