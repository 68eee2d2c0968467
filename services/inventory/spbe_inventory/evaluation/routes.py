"""/api/v1/evaluation/... (facts for the SPBE / Pemdi scorer) and /api/v1/catalogue/snapshot.

The evaluation records (audits, reviews, service buses, facility uses, application practices)
share one pattern, `Resource`: list, create, update and history routes made by `add_routes`
from the resource's models and hooks. Queries and their OPD scope: `repository.py`.

No `from __future__ import annotations` here: the generic routes' annotations are the resource's
models, which FastAPI must see as objects.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Connection

from spbe_common.api import (
    INT64_MAX,
    IdPath,
    Offset,
    QueryId,
    Unprocessable,
    check_if_match,
    etag_of,
    with_etag,
)
from spbe_common.catalogue import AuditKind, CatalogueSnapshot, ReviewSubject
from spbe_inventory.api.deps import CauseDep, ConnDep, Principal, PrincipalDep, WriteConnDep
from spbe_inventory.api.listing import (
    Limit,
    PageDep,
    check_facility,
    check_opd,
    found,
    json_response,
    page_response,
)
from spbe_inventory.applications import repository as applications
from spbe_inventory.db import utcnow
from spbe_inventory.history.service import Cause
from spbe_inventory.opd import repository as opds

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
PROFILE_FIELDS = tuple(EvaluationProfileBase.model_fields)
SECTOR_PATTERN = re.compile(SECTOR_CODE)
Rows = list[dict[str, Any]]


def _pick(row: dict[str, Any], columns: tuple[str, ...]) -> dict[str, Any]:
    return {k: row[k] for k in columns}


def _check_opd(conn: Connection, principal: Principal, code: str) -> None:
    """Evaluation writes need EVALUATION_WRITE (the route policy), within the caller's OPD."""
    check_opd(conn, principal, code, allowed=principal.sees(code))


def _check_applications(conn: Connection, principal: Principal, ids: list[int] | None) -> None:
    """Applications outside the caller's scope count as unknown."""
    if ids and (missing := sorted(set(ids) - set(applications.visible_opds(conn, principal, ids)))):
        raise Unprocessable(f"unknown application ids: {missing}", ("body", "application_ids"))


async def _no_filters() -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Resource:
    """One kind of evaluation record, as the generic routes serve it."""

    path: str  # under /api/v1
    key: str  # the path parameter of one record
    what: str  # in messages: "audit 7 not found"
    name: str  # of the routes (and so of their OpenAPI operation ids): list_audits, create_audit
    plural: str
    records: repo.Records
    list_model: type[BaseModel]
    public_model: type[BaseModel]
    create_model: type[BaseModel] | None = None
    update_model: type[BaseModel] | None = None
    history: bool = True
    filters: Callable[..., Any] = _no_filters  # a dependency: query parameters -> column values
    links: str | None = None  # a body list kept in a link table (service bus applications)
    check: Callable[[Connection, Principal, dict[str, Any]], None] | None = None  # references
    duplicate: Callable[[Connection, dict[str, Any]], str | None] | None = None  # -> 409

    def public(self, conn: Connection, rows: Rows) -> Rows:
        out = [_pick(r, self.records.columns) for r in rows]
        if self.links is not None:
            linked = repo.bus_application_ids(conn, [r["id"] for r in rows])
            out = [{**r, self.links: linked[r["id"]]} for r in out]
        return out

    def visible(self, conn: Connection, principal: Principal, row_id: int) -> dict[str, Any]:
        row = repo.visible(conn, self.records, principal, row_id)
        return found(row, f"{self.what} {row_id} not found")


def add_routes(resource: Resource) -> None:
    """List, create, update and history routes of `resource` on the router."""
    records = resource.records
    RowId = Annotated[int, Path(alias=resource.key, ge=1, le=INT64_MAX)]
    Filters = Annotated[dict[str, Any], Depends(resource.filters)]

    @router.get(resource.path, response_model=resource.list_model, name=f"list_{resource.plural}")
    def list_records(
        conn: ConnDep, principal: PrincipalDep, page: PageDep, filters: Filters
    ) -> Response:
        rows, count = repo.page_of(conn, records, principal, page, filters)
        return json_response({"data": resource.public(conn, rows), "count": count})

    if resource.history:

        @router.get(f"{resource.path}/{{{resource.key}}}/history", name=f"{resource.name}_history")
        def history(
            row_id: RowId,
            conn: ConnDep,
            principal: PrincipalDep,
            limit: Limit = 50,
            offset: Offset = 0,
        ) -> Response:
            resource.visible(conn, principal, row_id)
            return page_response(repo.history(conn, records.entity, row_id, limit, offset))

    if resource.create_model is not None:
        _add_create(resource, resource.create_model)
    if resource.update_model is not None:
        _add_update(resource, resource.update_model, RowId)


def _add_create(resource: Resource, body_model: type[BaseModel]) -> None:
    records = resource.records

    def create(
        body: BaseModel, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
    ) -> Response:
        fields = body.model_dump()
        _check_opd(conn, principal, fields["opd_code"])
        if resource.check is not None:
            resource.check(conn, principal, fields)
        if resource.duplicate is not None and (message := resource.duplicate(conn, fields)):
            raise HTTPException(409, message)
        links = {n: sorted(set(fields.pop(n))) for n in [resource.links] if n is not None}
        row = service.create(conn, records.table, records.entity, fields, cause, links)
        _set_links(conn, row["id"], links, cause, created=True)
        return with_etag(resource.public(conn, [row])[0], 201)

    create.__annotations__["body"] = body_model  # what FastAPI validates and documents
    router.post(
        resource.path,
        response_model=resource.public_model,
        status_code=201,
        name=f"create_{resource.name}",
    )(create)


def _add_update(resource: Resource, body_model: type[BaseModel], row_id_type: Any) -> None:
    records = resource.records

    def update(
        row_id: int,
        body: BaseModel,
        request: Request,
        conn: WriteConnDep,
        principal: PrincipalDep,
        cause: CauseDep,
    ) -> Response:
        """Changes the fields given; `If-Match` with the ETag of an earlier answer (list rows
        carry none: the create or last update answer does) makes a stale write answer 412."""
        row = resource.visible(conn, principal, row_id)
        check_if_match(request, etag_of(resource.public(conn, [row])[0]))
        fields = body.model_dump(exclude_unset=True)
        if resource.check is not None:
            resource.check(conn, principal, fields)
        links = {n: fields.pop(n) for n in [resource.links] if n is not None and n in fields}
        service.update(conn, records.table, records.entity, row, fields, cause)
        _set_links(conn, row_id, links, cause, created=False)
        return with_etag(resource.public(conn, [resource.visible(conn, principal, row_id)])[0])

    update.__annotations__.update(row_id=row_id_type, body=body_model)
    router.patch(
        f"{resource.path}/{{{resource.key}}}",
        response_model=resource.public_model,
        name=f"update_{resource.name}",
    )(update)


def _set_links(
    conn: Connection, row_id: int, links: dict[str, list[int]], cause: Cause, *, created: bool
) -> None:
    for ids in links.values():  # the service bus's applications: the one link table
        service.set_bus_applications(conn, row_id, ids, cause, created=created)


# --- the resources --------------------------------------------------------------------------


async def _audit_filters(kind: AuditKind | None = None) -> dict[str, Any]:
    return {"kind": kind}


async def _review_filters(subject: ReviewSubject | None = None) -> dict[str, Any]:
    return {"subject": subject}


async def _facility_use_filters(facility_id: QueryId = None) -> dict[str, Any]:
    return {"facility_id": facility_id}


def _check_bus(conn: Connection, principal: Principal, fields: dict[str, Any]) -> None:
    check_facility(conn, fields.get("facility_id"))
    _check_applications(conn, principal, fields.get("application_ids"))


def _bus_taken(conn: Connection, fields: dict[str, Any]) -> str | None:
    name = fields["name"]
    taken = repo.count(conn, repo.SERVICE_BUS, repo.SERVICE_BUS.c.name == name)
    return f"service bus {name!r} already exists" if taken else None


def _check_audit(conn: Connection, principal: Principal, fields: dict[str, Any]) -> None:
    """The audited OPD are OPD the catalogue knows (an Inspektorat audits OPD beyond its own)."""
    codes = fields.get("audited_opds") or []
    if unknown := sorted(set(codes) - opds.codes_in(conn, codes)):
        raise Unprocessable(f"unknown OPD codes: {unknown}", ("body", "audited_opds"))


def _check_review(conn: Connection, principal: Principal, fields: dict[str, Any]) -> None:
    _check_applications(conn, principal, fields.get("application_ids"))


def _check_use(conn: Connection, principal: Principal, fields: dict[str, Any]) -> None:
    check_facility(conn, fields["facility_id"])


def _use_taken(conn: Connection, fields: dict[str, Any]) -> str | None:
    use = repo.FACILITY_USE.c
    facility_id, opd_code = fields["facility_id"], fields["opd_code"]
    taken = repo.count(
        conn, repo.FACILITY_USE, use.facility_id == facility_id, use.opd_code == opd_code
    )
    return f"{opd_code} already uses facility {facility_id}" if taken else None


AUDITS = Resource(
    "/evaluation/audits", "audit_id", "audit", "audit", "audits", repo.AUDITS, AuditsPublic, AuditPublic,
    AuditBase, AuditUpdate, filters=_audit_filters, check=_check_audit,
)  # fmt: skip
REVIEWS = Resource(
    "/evaluation/reviews", "review_id", "review", "review", "reviews", repo.REVIEWS, ReviewsPublic, ReviewPublic,
    ReviewBase, ReviewUpdate, filters=_review_filters, check=_check_review,
)  # fmt: skip
SERVICE_BUSES = Resource(
    "/evaluation/service-buses", "bus_id", "service bus", "service_bus", "service_buses",
    repo.SERVICE_BUSES,
    ServiceBusesPublic, ServiceBusPublic, ServiceBusCreate, ServiceBusUpdate,
    links="application_ids", check=_check_bus, duplicate=_bus_taken,
)  # fmt: skip
FACILITY_USES = Resource(
    "/evaluation/facility-uses", "use_id", "facility use", "facility_use", "facility_uses",
    repo.FACILITY_USES,
    FacilityUsesPublic, FacilityUsePublic, FacilityUseBase, history=False,
    filters=_facility_use_filters, check=_check_use, duplicate=_use_taken,
)  # fmt: skip
for _resource in (AUDITS, REVIEWS, SERVICE_BUSES, FACILITY_USES):
    add_routes(_resource)


@router.delete("/evaluation/facility-uses/{use_id}", status_code=204)
def delete_facility_use(
    use_id: IdPath, conn: WriteConnDep, principal: PrincipalDep, cause: CauseDep
) -> Response:
    row = FACILITY_USES.visible(conn, principal, use_id)
    _check_opd(conn, principal, row["opd_code"])
    service.delete(conn, repo.FACILITY_USE, EvaluationEntity.FACILITY_USE, row, cause)
    return Response(status_code=204)


# --- application development practice: one record per application, kept with PUT ------------


class _Practices(Resource):
    """A practice is read and written through its application: in scope when the application is."""

    def public(self, conn: Connection, rows: Rows) -> Rows:
        opds = repo.opds_of_applications(conn, [r["application_id"] for r in rows])
        columns = self.records.columns
        return [{**_pick(r, columns), "opd_code": opds[r["application_id"]]} for r in rows]

    def visible(self, conn: Connection, principal: Principal, row_id: int) -> dict[str, Any]:
        return {"application_id": row_id, "opd_code": _application_opd(conn, principal, row_id)}


PRACTICES = _Practices(
    "/evaluation/application-practices", "app_id", "application", "application_practice",
    "application_practices", repo.PRACTICES,
    ApplicationPracticesPublic, ApplicationPracticePublic,
)  # fmt: skip
add_routes(PRACTICES)


def _application_opd(conn: Connection, principal: Principal, app_id: int) -> str:
    opd = applications.visible_opds(conn, principal, [app_id]).get(app_id)
    return found(opd, f"application {app_id} not found")


@router.get("/evaluation/application-practices/{app_id}", response_model=ApplicationPracticePublic)
def get_application_practice(app_id: IdPath, conn: ConnDep, principal: PrincipalDep) -> Response:
    _application_opd(conn, principal, app_id)
    row = repo.visible(conn, repo.PRACTICES, principal, app_id)
    row = found(row, f"no development practice recorded for application {app_id}")
    return with_etag(PRACTICES.public(conn, [row])[0])


@router.put("/evaluation/application-practices/{app_id}", response_model=ApplicationPracticePublic)
def put_application_practice(
    app_id: IdPath,
    body: ApplicationPracticeIn,
    request: Request,
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
    current = repo.visible(conn, repo.PRACTICES, principal, app_id)
    if current is not None:
        check_if_match(request, etag_of(PRACTICES.public(conn, [current])[0]))
    values = body.model_dump(mode="json")
    entity = EvaluationEntity.APPLICATION_PRACTICE
    service.put_singleton(conn, repo.PRACTICE, entity, app_id, current, values, cause)
    public = _pick({**values, "application_id": app_id}, repo.PRACTICES.columns)
    return with_etag({**public, "opd_code": opd})


# --- the Pemda-wide profile --------------------------------------------------------------------


@router.get("/evaluation/profile", response_model=EvaluationProfileBase)
def get_profile(conn: ConnDep) -> Response:
    row = repo.profile(conn)
    body = _pick(row, PROFILE_FIELDS) if row else EvaluationProfileBase().model_dump(mode="json")
    return with_etag(body)


@router.put("/evaluation/profile", response_model=EvaluationProfileBase)
def put_profile(
    body: EvaluationProfileBase,
    request: Request,
    conn: WriteConnDep,
    principal: PrincipalDep,
    cause: CauseDep,
) -> Response:
    """Replaces the profile; `If-Match` with the ETag of GET makes a stale write answer 412."""
    if principal.opd_codes is not None:
        raise HTTPException(403, "only a Pemda-wide principal may change the evaluation profile")
    codes = [*body.asset_strategy_opds, *([body.ict_opd_code] if body.ict_opd_code else [])]
    if unknown := sorted(set(codes) - opds.codes_in(conn, codes)):
        raise Unprocessable(f"unknown OPD codes: {unknown}", ("body",))
    _check_sectors(body.public_sectors)
    values = body.model_dump(mode="json")
    entity = EvaluationEntity.PROFILE
    current = repo.profile(conn)
    shown = (
        _pick(current, PROFILE_FIELDS)
        if current
        else EvaluationProfileBase().model_dump(mode="json")
    )
    check_if_match(request, etag_of(shown))
    service.put_singleton(conn, repo.PROFILE, entity, repo.PROFILE_ID, current, values, cause)
    return with_etag(values)


def _check_sectors(sectors: list[str]) -> None:
    bad = [s for s in sectors if not SECTOR_PATTERN.fullmatch(s)]
    if bad:
        detail = f"sector codes are lower-case words, as in publik_sektor:<sector>: {bad}"
        raise Unprocessable(detail, ("body",))
    if len(set(sectors)) != len(sectors):
        raise Unprocessable("a public sector is chosen once", ("body",))


@router.get("/evaluation/profile/history")
def profile_history(conn: ConnDep, limit: Limit = 50, offset: Offset = 0) -> Response:
    entity = EvaluationEntity.PROFILE
    return page_response(repo.history(conn, entity, repo.PROFILE_ID, limit, offset))


# --- the catalogue snapshot the scorer reads ---------------------------------------------------


@router.get("/catalogue/snapshot", response_model=CatalogueSnapshot, tags=["catalogue"])
def catalogue_snapshot(
    conn: ConnDep,
    principal: PrincipalDep,
    applications: Annotated[
        Literal["list", "summary"],
        Query(description="list: every application; summary: counted (application_summary)"),
    ] = "list",
) -> Response:
    """Every fact the SPBE / Pemdi derivation rules read, in one document (schema_version 1)."""
    summary = applications == "summary"
    return json_response(build_snapshot(conn, principal, utcnow(), summary=summary))
