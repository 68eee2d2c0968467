"""/api/v1/assessments: an evaluator's levels, for indicators no inventory evidences or to
override a derived level (with a justification; the derived level stays visible in each run)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from spbe_scorer.api.deps import ConnDep, SettingsDep, json_response

from . import repository as repo
from . import service
from .schemas import AssessmentIn, AssessmentPublic, AssessmentsPublic, AssessmentUpdate

router = APIRouter(prefix="/api/v1/assessments", tags=["assessments"])


def _refuse(exc: service.AssessmentError) -> HTTPException:
    if isinstance(exc, service.AssessmentNotFound):
        return HTTPException(404, str(exc))
    if isinstance(exc, service.AssessmentConflict):
        return HTTPException(409, str(exc))
    return HTTPException(422, str(exc))


@router.get("", response_model=AssessmentsPublic)
def list_assessments(
    conn: ConnDep,
    framework: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    rows, count = repo.list_assessments(conn, framework, limit, offset)
    return json_response({"data": [service.public(r) for r in rows], "count": count})


@router.post("", response_model=AssessmentPublic, status_code=201)
def create_assessment(body: AssessmentIn, conn: ConnDep, settings: SettingsDep) -> Response:
    try:
        return json_response(service.create(conn, body, settings.frameworks_dir), 201)
    except service.AssessmentError as exc:
        raise _refuse(exc) from None


@router.get("/{assessment_id}", response_model=AssessmentPublic)
def get_assessment(assessment_id: int, conn: ConnDep) -> Response:
    try:
        return json_response(service.public(service.get(conn, assessment_id)))
    except service.AssessmentError as exc:
        raise _refuse(exc) from None


@router.patch("/{assessment_id}", response_model=AssessmentPublic)
def update_assessment(
    assessment_id: int, body: AssessmentUpdate, conn: ConnDep, settings: SettingsDep
) -> Response:
    try:
        return json_response(service.update(conn, assessment_id, body, settings.frameworks_dir))
    except service.AssessmentError as exc:
        raise _refuse(exc) from None


@router.delete("/{assessment_id}", status_code=204)
def delete_assessment(assessment_id: int, conn: ConnDep) -> Response:
    try:
        service.delete(conn, assessment_id)
    except service.AssessmentError as exc:
        raise _refuse(exc) from None
    return Response(status_code=204)
