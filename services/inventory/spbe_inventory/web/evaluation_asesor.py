"""Nilai asesor: the external assessors' levels of a period, imported from an XLSX. The file is
checked first (the scorer's dry run, nothing saved) and the result shown; saving sends the same
file again, carried by the confirmation form (an asesor sheet is small)."""

from __future__ import annotations

import base64
import binascii
import io
import re
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from .evaluation_common import (
    FORM_STATUSES,
    PeriodId,
    exact_of,
    index_text,
    message_of,
    num,
    period_view,
    scorer_page,
    see_other,
)
from .render import page
from .scorer_client import ScorerClient, ScorerRefused

router = APIRouter(include_in_schema=False)
ASESOR_MAX_BYTES = 1024 * 1024  # an asesor sheet: a row per indicator
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _path(period_id: int) -> str:
    return f"/api/v1/periods/{period_id}/asesor/import"


@router.get("/evaluasi/{period_id}/asesor")
def asesor_page(request: Request, period_id: PeriodId) -> Response:
    return scorer_page(request, lambda scorer: _show(request, scorer, period_id, {}))


def _show(
    request: Request,
    scorer: ScorerClient,
    period_id: int,
    extra: dict[str, Any],
    status: int = 200,
) -> Response:
    period = scorer.get(f"/api/v1/periods/{period_id}")["period"]
    context = {
        "title": "Nilai asesor",
        "period": period_view(period),
        "max_kb": ASESOR_MAX_BYTES // 1024,
        **extra,
    }
    return page(request, "evaluasi_asesor.html", context, status)


@router.post("/evaluasi/{period_id}/asesor")
def asesor_upload(
    request: Request,
    period_id: PeriodId,
    berkas: Annotated[UploadFile | None, File()] = None,
    data: Annotated[str, Form(max_length=2 * ASESOR_MAX_BYTES)] = "",
    nama: Annotated[str, Form(max_length=255)] = "",
) -> Response:
    def run(scorer: ScorerClient) -> Response:
        if berkas is not None and berkas.filename:
            content = berkas.file.read(ASESOR_MAX_BYTES + 1)
            return _check(request, scorer, period_id, berkas.filename, content)
        try:
            content = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            content = b""
        if not content:
            return _show(request, scorer, period_id, {"error": "Pilih berkas XLSX."}, 422)
        return _save(request, scorer, period_id, nama or "asesor.xlsx", content)

    return scorer_page(request, run)


def _check(
    request: Request, scorer: ScorerClient, period_id: int, name: str, content: bytes
) -> Response:
    """The scorer's dry run of the file: its rows and their errors, nothing saved."""
    if len(content) > ASESOR_MAX_BYTES:
        error = f"Berkas lebih dari {ASESOR_MAX_BYTES // 1024} KB."
        return _show(request, scorer, period_id, {"error": error}, 413)
    try:
        found = scorer.upload(
            _path(period_id), (name, io.BytesIO(content), XLSX), None, dry_run="true"
        )
    except ScorerRefused as exc:
        if exc.status_code not in FORM_STATUSES:
            raise
        if not (isinstance(exc.body, dict) and "rows" in exc.body):
            return _show(request, scorer, period_id, {"error": message_of(exc)}, exc.status_code)
        found = exc.body  # every row checked: the rows and what is wrong in them
    extra = {
        "checked": True,
        "rows": [_row(r) for r in found.get("rows") or []],
        "problems": [_problem(e) for e in found.get("errors") or []],
        "index": index_text(exact_of(found, "index")) if found.get("index") is not None else None,
        "data": base64.b64encode(content).decode(),
        "nama": name,
    }
    return _show(request, scorer, period_id, extra, 422 if extra["problems"] else 200)


def _save(
    request: Request, scorer: ScorerClient, period_id: int, name: str, content: bytes
) -> Response:
    try:
        scorer.upload(_path(period_id), (name, io.BytesIO(content), XLSX))
    except ScorerRefused as exc:
        if exc.status_code not in FORM_STATUSES:
            raise
        return _show(request, scorer, period_id, {"error": message_of(exc)}, exc.status_code)
    return see_other(f"/evaluasi/{period_id}?pesan=asesor")


def _row(row: Any) -> dict[str, str]:
    if not isinstance(row, dict):
        return {"indicator": str(row), "level": "", "note": ""}
    level = row.get("level", row.get("nilai"))
    return {
        "indicator": str(row.get("indicator", row.get("indikator", ""))),
        "level": num(level) if isinstance(level, (int, float)) else str(level or "-"),
        "note": str(row.get("note") or row.get("catatan") or ""),
    }


def _problem(error: Any) -> str:
    """`row 3, column Nilai: ...` of the scorer as `Baris 3, kolom Nilai: ...`."""
    if not isinstance(error, dict):
        return str(error)
    text = re.sub(r"^row \d+, column [^:]+: ", "", str(error.get("msg", "")))
    if error.get("row") is None:
        return text
    return f"Baris {error['row']}, kolom {error.get('column', '-')}: {text}"
