"""/api/v1/runs: list, run now, detail, compare, XLSX export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query
from fastapi.responses import Response

from spbe_common.api import INT64_MAX, ErrorBody, Unprocessable
from spbe_scorer.api.deps import ConnDep, EngineDep, ScorerDep, json_response
from spbe_scorer.frameworks import FrameworkError
from spbe_scorer.inventory import InventoryError

from . import repository as repo
from . import views
from .compare import CompareError
from .enums import RunScope, Trigger
from .export import workbook_bytes
from .schemas import ComparisonPublic, RunDetail, RunRequest, RunsPublic

router = APIRouter(prefix="/api/v1/runs", tags=["runs"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RunId = Annotated[str, Path(max_length=36)]
INVENTORY_DOWN: dict[int | str, dict[str, Any]] = {
    502: {"model": ErrorBody, "description": "The inventory API did not answer"}
}


@router.get("", response_model=RunsPublic)
def list_runs(
    conn: ConnDep,
    framework: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
    scope: Annotated[
        RunScope | None,
        Query(description="catalogue: the catalogue's scoring only; period: proposal runs only"),
    ] = None,
) -> Response:
    rows, count = repo.list_runs(conn, framework, limit, offset, scope)
    return json_response({"data": [views.summary(r) for r in rows], "count": count})


@router.post("", response_model=RunDetail, status_code=201, responses=INVENTORY_DOWN)
def run_now(body: RunRequest, scorer: ScorerDep, engine: EngineDep) -> Response:
    """Score a framework now from the inventory's current catalogue. The run is committed
    before this answers (the scorer's own transaction); the answer reads it back."""
    try:
        run_id = scorer.run(body.framework, Trigger.API)
    except FrameworkError as exc:
        raise Unprocessable(str(exc), ("body", "framework")) from None
    except InventoryError as exc:
        raise HTTPException(502, str(exc)) from None
    with engine.connect() as conn:
        return json_response(views.detail(*views.load(conn, run_id)), 201)


@router.get("/compare", response_model=ComparisonPublic)
def compare_runs(
    conn: ConnDep,
    a: Annotated[str, Query(max_length=36, description="The earlier run")],
    b: Annotated[str, Query(max_length=36, description="The later run")],
) -> Response:
    try:
        return json_response(views.comparison_json(views.comparison(conn, a, b)))
    except views.RunNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except CompareError as exc:
        raise Unprocessable(str(exc), ("query", "b")) from None


@router.get("/{run_id}", response_model=RunDetail)
def get_run(run_id: RunId, conn: ConnDep) -> Response:
    try:
        return json_response(views.detail(*views.load(conn, run_id)))
    except views.RunNotFound as exc:
        raise HTTPException(404, str(exc)) from None


@router.get(
    "/{run_id}/export.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "The workbook"}},
)
def export_run(run_id: RunId, conn: ConnDep) -> Response:
    """The run as an XLSX workbook: a summary sheet and one sheet per domain."""
    try:
        run, rows = views.load(conn, run_id)
    except views.RunNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    filename = f"{run['framework']}-{run_id[:8]}.xlsx"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(workbook_bytes(run, rows), media_type=XLSX, headers=headers)
