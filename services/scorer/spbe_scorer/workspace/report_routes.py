"""Reports of evaluation periods: asesor results (one indicator, or a workbook import), the
comparison of two periods (also across frameworks), and the official XLSX export.

Included before the workspace routes, so /api/v1/periods/compare is not read as a period id.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from spbe_common.api import INT64_MAX, ErrorBody, Unprocessable
from spbe_scorer.api.deps import ConnDep, PrincipalDep, SettingsDep, WriteConnDep, json_response
from spbe_scorer.frameworks import Framework, FrameworkError, load_framework
from spbe_scorer.settings import ScorerSettings

from . import asesor, compare, documents, export, service
from . import repository as repo

router = APIRouter(tags=["evaluation"])

PeriodId = Annotated[int, Path(ge=1, le=INT64_MAX)]
IndicatorPath = Annotated[str, Path(min_length=1, max_length=16)]
QueryPeriod = Annotated[int, Query(ge=1, le=INT64_MAX)]
XLSX = documents.XLSX.media_type


class AsesorIn(BaseModel):
    """An asesor level ("1,5" and 1.5 alike; null clears it) and an optional note."""

    model_config = ConfigDict(extra="forbid")
    level: float | str | None = Field(description="The assessors' level; null clears it")
    note: str | None = Field(default=None, max_length=asesor.MAX_NOTE)


def framework_of(period: dict[str, Any], settings: ScorerSettings) -> Framework:
    try:
        return load_framework(period["framework"], settings.frameworks_dir)
    except FrameworkError as exc:
        raise HTTPException(409, f"the period's framework cannot be read: {exc}") from None


def _period(conn: Connection, period_id: int, lock: bool = False) -> dict[str, Any]:
    return service.get_period(conn, period_id, lock=lock)


# --- asesor results ----------------------------------------------------------------------------
@router.put("/api/v1/periods/{period_id}/asesor/{indicator}")
def put_asesor_level(
    period_id: PeriodId,
    indicator: IndicatorPath,
    body: AsesorIn,
    conn: WriteConnDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> Response:
    """The assessors' level of one indicator (also once the period is closed)."""
    framework = framework_of(_period(conn, period_id), settings)
    worksheet = service.get_worksheet(conn, period_id, indicator, lock=True)
    try:
        level = None if body.level is None else asesor.parse_level(framework, body.level)
        note = asesor.clean_note(body.note)
    except ValueError as exc:
        raise Unprocessable(str(exc), ("body", "level")) from None
    saved = asesor.set_level(conn, worksheet, level, note, principal.name)
    return json_response({
        "period_id": period_id, "indicator": indicator,
        "asesor_level": None if level is None else float(level),
        "asesor_level_exact": saved["asesor_level_exact"], "asesor_note": saved["asesor_note"],
    })  # fmt: skip


def _workbook(file: UploadFile, settings: ScorerSettings) -> bytes:
    content = file.file.read(settings.scorer_document_max_bytes + 1)
    if len(content) > settings.scorer_document_max_bytes:
        raise HTTPException(
            413, f"the file is larger than {settings.scorer_document_max_bytes} bytes"
        )
    file.file.seek(0)
    if documents.detect(file.file) is not documents.XLSX:
        raise HTTPException(415, "the asesor results must be an XLSX workbook")
    return content


def _refused(checked: asesor.Checked, dry_run: bool) -> Response:
    detail = [
        {"loc": ["file", e["row"], e["column"]], "msg": e["msg"], "type": "value_error"}
        for e in checked.errors
    ]
    return json_response({"detail": detail, **checked.public(), "dry_run": dry_run}, 422)


@router.post(
    "/api/v1/periods/{period_id}/asesor/import",
    responses={415: {"model": ErrorBody, "description": "Not an XLSX workbook"}},
)
def import_asesor(
    period_id: PeriodId,
    file: Annotated[UploadFile, File(description='XLSX: "Indikator", "Nilai", "Catatan"')],
    conn: WriteConnDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    dry_run: bool = False,
) -> Response:
    """Every row checked; all saved, or nothing when any row is wrong (422, each error naming
    its row and column). `dry_run`: checked and answered, never saved."""
    period = _period(conn, period_id, lock=True)
    framework = framework_of(period, settings)
    try:
        checked = asesor.read(_workbook(file, settings), framework)
    except asesor.WorkbookError as exc:
        raise Unprocessable(str(exc), ("body", "file")) from None
    if checked.errors:
        return _refused(checked, dry_run)
    if not dry_run:
        asesor.save(conn, period, checked, principal.name)
    return json_response({**checked.public(), "dry_run": dry_run})


# --- comparison ----------------------------------------------------------------------------
def _levels_and_index(
    conn: Connection, period: dict[str, Any], framework: Framework
) -> tuple[dict[str, Any], Any]:
    """The self-assessed levels and index; a period without any level has no index (none, as
    its own page shows "-"), not the scale's minimum."""
    worksheets = repo.worksheets(conn, period["id"])
    assessed = any(w["level_exact"] is not None for w in worksheets)
    index = service.period_index(framework, worksheets) if assessed else None
    return compare.levels_of(worksheets), index


def public_period(period: dict[str, Any]) -> dict[str, Any]:
    return {
        k: period[k]
        for k in (
            "id",
            "year",
            "framework",
            "title",
            "status",
            "asesor_index",
            "asesor_index_exact",
        )
    }


@router.get("/api/v1/periods/compare")
def compare_periods(
    base: QueryPeriod, other: QueryPeriod, conn: ConnDep, settings: SettingsDep
) -> Response:
    """`other` against `base`, indicator by indicator by their self-assessed levels; across
    frameworks through the correspondence in data (unmapped indicators listed)."""
    periods = [_period(conn, base), _period(conn, other)]
    frameworks = [framework_of(p, settings) for p in periods]
    (base_levels, base_index), (other_levels, other_index) = (
        _levels_and_index(conn, p, f) for p, f in zip(periods, frameworks, strict=True)
    )
    try:
        result = compare.compare(frameworks[0], base_levels, frameworks[1], other_levels)
    except compare.NoMapping as exc:
        raise Unprocessable(str(exc), ("query", "other")) from None
    return json_response({
        "base": public_period(periods[0]), "other": public_period(periods[1]),
        "index": compare.index_part(base_index, other_index), **result,
    })  # fmt: skip


# --- official export ---------------------------------------------------------------------------
@router.get(
    "/api/v1/periods/{period_id}/export.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "The official layout"}},
)
def export_period(period_id: PeriodId, conn: ConnDep, settings: SettingsDep) -> Response:
    period = _period(conn, period_id)
    framework = framework_of(period, settings)
    worksheets = repo.worksheets(conn, period_id)
    report = export.PeriodReport(
        period, framework, worksheets, documents.of_period(conn, period_id),
        service.period_index(framework, worksheets),
        asesor.period_asesor_index(period, framework, worksheets),
    )  # fmt: skip
    filename = f"evaluasi-{period['framework']}-{period['year']}.xlsx"
    return Response(
        export.workbook_bytes(report),
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
