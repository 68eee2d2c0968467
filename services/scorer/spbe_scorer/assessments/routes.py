"""/api/v1/assessments: an evaluator's levels, for indicators no inventory evidences or to
override a derived level (with a justification; the derived level stays visible in each run).

GET answers an ETag; PATCH and DELETE honour If-Match with it (412 on an older version).
The evaluator recorded is the signed-in account; a body naming one is refused (422)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from fastapi.responses import Response

from spbe_common.api import INT64_MAX, Unprocessable, check_if_match
from spbe_scorer.api.deps import ConnDep, PrincipalDep, SettingsDep, WriteConnDep, json_response

from . import repository as repo
from . import service
from .schemas import (
    AssessmentHistoryPublic,
    AssessmentIn,
    AssessmentPublic,
    AssessmentsPublic,
    AssessmentUpdate,
)

router = APIRouter(prefix="/api/v1/assessments", tags=["assessments"])

AssessmentId = Annotated[int, Path(ge=1, le=INT64_MAX)]
IfMatch = Annotated[
    str | None,
    Header(max_length=500, description="The ETag of the version this change was made on"),
]
ETAG: dict[str, Any] = {
    "headers": {"ETag": {"description": "Version of the record", "schema": {"type": "string"}}}
}


def _refuse(exc: service.AssessmentError) -> HTTPException:
    if isinstance(exc, service.AssessmentNotFound):
        return HTTPException(404, str(exc))
    if isinstance(exc, service.AssessmentConflict):
        return HTTPException(409, str(exc))
    return Unprocessable(str(exc), ("body", exc.field))


def _with_etag(row: dict[str, Any], status_code: int = 200) -> Response:
    return json_response(service.public(row), status_code, {"ETag": service.etag(row)})


@router.get("", response_model=AssessmentsPublic)
def list_assessments(
    conn: ConnDep,
    framework: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
) -> Response:
    rows, count = repo.list_assessments(conn, framework, limit, offset)
    return json_response({"data": [service.public(r) for r in rows], "count": count})


@router.post("", response_model=AssessmentPublic, status_code=201, responses={201: ETAG})
def create_assessment(
    body: AssessmentIn, conn: WriteConnDep, settings: SettingsDep, principal: PrincipalDep
) -> Response:
    try:
        return _with_etag(service.create(conn, body, principal.name, settings.frameworks_dir), 201)
    except service.AssessmentError as exc:
        raise _refuse(exc) from None


@router.get("/{assessment_id}", response_model=AssessmentPublic, responses={200: ETAG})
def get_assessment(assessment_id: AssessmentId, conn: ConnDep) -> Response:
    try:
        return _with_etag(service.get(conn, assessment_id))
    except service.AssessmentError as exc:
        raise _refuse(exc) from None


@router.patch("/{assessment_id}", response_model=AssessmentPublic, responses={200: ETAG})
def update_assessment(
    assessment_id: AssessmentId,
    body: AssessmentUpdate,
    request: Request,
    conn: WriteConnDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Response:
    """Changes only the fields given, on the row locked until the commit; the caller becomes
    the assessment's evaluator."""
    try:
        row = service.get(conn, assessment_id, lock=True)
        check_if_match(request, service.etag(row))
        changed = service.update_row(conn, row, body, principal.name, settings.frameworks_dir)
        return _with_etag(changed)
    except service.AssessmentError as exc:
        raise _refuse(exc) from None


@router.delete("/{assessment_id}", status_code=204)
def delete_assessment(
    assessment_id: AssessmentId,
    request: Request,
    conn: WriteConnDep,
    principal: PrincipalDep,
    if_match: IfMatch = None,
) -> Response:
    try:
        check_if_match(request, service.etag(service.get(conn, assessment_id, lock=True)))
        service.delete(conn, assessment_id, principal.name)
    except service.AssessmentError as exc:
        raise _refuse(exc) from None
    return Response(status_code=204)


@router.get("/{assessment_id}/history", response_model=AssessmentHistoryPublic)
def assessment_history(
    assessment_id: AssessmentId,
    conn: ConnDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
) -> Response:
    """Every change, oldest first: what it was before and after, and which account made it;
    kept after the assessment is deleted."""
    try:
        rows, count = service.history(conn, assessment_id, limit, offset)
    except service.AssessmentError as exc:
        raise _refuse(exc) from None
    return json_response({"data": rows, "count": count})
