"""Evaluasi: the internal SPBE / Pemdi evaluation workspace. Periods with their progress, a
period's overview (self-assessment against the asesor index), the workspace of each evaluator
OPD, the review queue, the comparison of two periods and the official export. Everything is read
and written through the scorer's API (scorer_client) as the signed-in person; the worksheet and
its documents are in evaluation_worksheet, the asesor import in evaluation_asesor."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from spbe_common.auth import Permission
from spbe_common.scoring_labels import self_assessment_coverage
from spbe_inventory.settings import InventorySettings

from . import evaluation_asesor, evaluation_worksheet, labels
from .evaluation_common import (
    FORM_STATUSES,
    OpdCode,
    PeriodId,
    difference,
    exact_of,
    index_difference,
    index_text,
    message_of,
    num,
    period_view,
    principal_of,
    progress_cells,
    scorer_page,
    see_other,
    streamed,
    worksheet_row,
)
from .render import page
from .scorer_client import ScorerClient, ScorerRefused
from .typed_input import whole_number

router = APIRouter(include_in_schema=False)
FRAMEWORKS = ("spbe-2020", "pemdi-2026")  # the frameworks an evaluation period is opened for
YEARS = (2000, 2100)  # the scorer's PeriodIn.year
PERIOD_IDS = (1, 2**31 - 1)
TITLE_MAX = 200  # the scorer's PeriodIn.title


# --- periods --------------------------------------------------------------------------------------
@router.get("/evaluasi")
def periods_page(request: Request) -> Response:
    return scorer_page(request, lambda scorer: _periods(request, scorer, {}, {}, 200))


@router.post("/evaluasi")
def open_period(
    request: Request,
    tahun: Annotated[str, Form()] = "",
    kerangka: Annotated[str, Form()] = "",
    judul: Annotated[str, Form()] = "",
    salin_dari: Annotated[str, Form()] = "",
) -> Response:
    """No Form(max_length): _period_errors says any wrong field on the form, what was typed kept
    (the body limit bounds the fields)."""
    values = {"tahun": tahun, "kerangka": kerangka, "judul": judul, "salin_dari": salin_dari}

    def create(scorer: ScorerClient) -> Response:
        year, copy_from = whole_number(tahun, *YEARS), whole_number(salin_dari, *PERIOD_IDS)
        errors = _period_errors(year, kerangka, salin_dari, copy_from) | _title_errors(judul)
        if errors:
            return _periods(request, scorer, values, errors, 422)
        body: dict[str, Any] = {"year": year, "framework": kerangka}
        if judul.strip():
            body["title"] = judul.strip()
        if copy_from is not None:
            body["copy_from"] = copy_from
        try:
            created = scorer.post("/api/v1/periods", body)
        except ScorerRefused as exc:
            if exc.status_code not in FORM_STATUSES:
                raise
            return _periods(request, scorer, values, {"form": message_of(exc)}, exc.status_code)
        return see_other(f"/evaluasi/{created['id']}")

    return scorer_page(request, create)


def _period_errors(
    year: int | None, framework: str, copy_typed: str, copy_from: int | None
) -> dict[str, str]:
    errors = {}
    if year is None:
        errors["tahun"] = "Isi tahun evaluasi, misalnya 2026."
    if framework not in FRAMEWORKS:
        errors["kerangka"] = "Pilih kerangka penilaian."
    if copy_typed.strip() and copy_from is None:
        errors["salin_dari"] = "Pilih periode yang ada."
    return errors


def _title_errors(title: str) -> dict[str, str]:
    if len(title.strip()) > TITLE_MAX:
        return {"judul": f"Judul terlalu panjang (paling banyak {TITLE_MAX} karakter)."}
    return {}


def _periods(
    request: Request,
    scorer: ScorerClient,
    values: dict[str, str],
    errors: dict[str, str],
    status: int,
) -> Response:
    periods = [_with_progress(p) for p in scorer.get("/api/v1/periods")["data"]]
    context = {
        "title": "Evaluasi SPBE",
        "periods": periods,
        "frameworks": [(f, labels.scoring_label("framework", f)) for f in FRAMEWORKS],
        "period_choices": [(str(p["id"]), p["name"]) for p in periods],
        "may_manage": principal_of(request).can(Permission.PERIODS_MANAGE),
        "values": values,
        "errors": errors,
    }
    return page(request, "evaluasi.html", context, status)


def _with_progress(period: dict[str, Any]) -> dict[str, Any]:
    view = period_view(period)
    progress = period.get("progress") or {}
    total = progress.get("total") or 0
    done = progress.get("verified", 0)
    view["cells"] = progress_cells(progress)
    view["total"] = total
    view["percent"] = round(100 * done / total) if total else 0
    return view


# --- comparison of two periods (before /evaluasi/{period_id}) ------------------------------------
@router.get("/evaluasi/banding")
def comparison_page(
    request: Request,
    dasar: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    pembanding: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    def show(scorer: ScorerClient) -> Response:
        choices = [
            (str(p["id"]), period_view(p)["name"]) for p in scorer.get("/api/v1/periods")["data"]
        ]
        if dasar is None or pembanding is None:  # no pair yet: the choice of periods only
            choose: dict[str, Any] = {"title": "Perbandingan periode evaluasi"}
            return page(request, "evaluasi_banding.html", {**choose, "period_choices": choices})
        found = scorer.get("/api/v1/periods/compare", base=dasar, other=pembanding)
        index = found.get("index") or {}
        rows = [
            {
                **row,
                "other_text": num(row.get("other_level")),
                "base_text": num(row.get("base_level")),
                "difference_text": difference(row.get("difference")),
            }
            for row in found.get("indicators", [])
        ]
        context: dict[str, Any] = {
            "title": "Perbandingan periode evaluasi",
            "base": period_view(found["base"]),
            "other": period_view(found["other"]),
            "index": {k: index_text(exact_of(index, k)) for k in ("base", "other")},
            "index_difference": index_difference(exact_of(index, "difference")),
            "rows": rows,
            "unmapped_base": found.get("unmapped_base", []),
            "unmapped_other": found.get("unmapped_other", []),
            "period_choices": choices,
            "chosen": (str(dasar), str(pembanding)),
        }
        return page(request, "evaluasi_banding.html", context)

    return scorer_page(request, show)


router.include_router(evaluation_worksheet.documents)  # /evaluasi/dokumen/... before {period_id}


# --- one period -----------------------------------------------------------------------------------
@router.get("/evaluasi/{period_id}")
def overview_page(request: Request, period_id: PeriodId) -> Response:
    notice = _NOTICES.get(request.query_params.get("pesan", ""))
    return scorer_page(request, lambda scorer: _overview(request, scorer, period_id, notice=notice))


def _overview(
    request: Request,
    scorer: ScorerClient,
    period_id: int,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    notice: str | None = None,
) -> Response:
    found = scorer.get(f"/api/v1/periods/{period_id}")
    index = found.get("index") or {}
    principal = principal_of(request)
    by_opd = found.get("progress", {}).get("by_opd", [])
    period = period_view(found["period"])
    published = period.get("asesor_index")
    # the self-assessed index counts an indicator without a level at the scale's minimum: before
    # any worksheet has a level it is no result yet, so the page does not show one
    assessed = any(i.get("level") is not None for i in found.get("indicators", []))
    context = {
        "title": "Ringkasan evaluasi",
        "period": period,
        "closed": period.get("status") == "closed",
        "index": {
            "self": index_text(exact_of(index, "self_assessment")) if assessed else "-",
            "self_predicate": index.get("self_assessment_predicate") if assessed else None,
            "asesor": index_text(exact_of(index, "asesor")),
            "asesor_predicate": index.get("asesor_predicate"),
            "difference": index_difference(exact_of(index, "difference")) if assessed else "-",
            "coverage": _coverage(index) if assessed else "",
        },
        "by_status": progress_cells(found.get("progress", {}).get("by_status", {})),
        "by_opd": [{**row, "cells": progress_cells(row)} for row in by_opd],
        "indicators": [worksheet_row(i) for i in found.get("indicators", [])],
        "own_opd": sorted(principal.member_of),
        "may_manage": principal.can(Permission.PERIODS_MANAGE),
        "may_run": principal.can(Permission.SCORES_WRITE),
        "statuses": [(s, labels.scoring_label("period_status", s)) for s in PERIOD_STATUSES],
        "published": "" if published is None else index_text(exact_of(period, "asesor_index")),
        "values": values or {},
        "errors": errors or {},
        "notice": notice,
    }
    return page(request, "evaluasi_periode.html", context, status)


def _coverage(index: dict[str, Any]) -> str:
    """How many indicators have a level, in words (an older scorer does not count: nothing)."""
    levelled, total = index.get("self_assessment_levelled"), index.get("self_assessment_indicators")
    if levelled is None or total is None:
        return ""
    return self_assessment_coverage(int(levelled), int(total), int(index.get("scale_minimum") or 1))


_NOTICES = {
    "usulan": "Usulan dari katalog sudah dihitung ulang. Lembar kerja menampilkan usulan terbaru.",
    "asesor": "Nilai asesor tersimpan.",
    "kelola": "Pengaturan periode tersimpan.",
}
PERIOD_STATUSES = ("open", "closed")
INDEX = re.compile(r"^[0-9]([.,][0-9]{1,4})?$")  # a published index: "1,24"


@router.post("/evaluasi/{period_id}/kelola")
def manage_period(
    request: Request,
    period_id: PeriodId,
    status: Annotated[str, Form(max_length=16)] = "",
    indeks_asesor: Annotated[str, Form(max_length=16)] = "",
    catatan_asesor: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    """Close or reopen the period, and the assessors' published index with its note."""
    values = {"status": status, "indeks_asesor": indeks_asesor, "catatan_asesor": catatan_asesor}

    def change(scorer: ScorerClient) -> Response:
        index = indeks_asesor.strip()
        errors = {}
        if status not in PERIOD_STATUSES:
            errors["status"] = "Pilih status periode: Dibuka atau Ditutup."
        if index and not INDEX.match(index):
            errors["indeks_asesor"] = "Tulis indeks sebagai angka, misalnya 2,61."
        if errors:
            return _overview(request, scorer, period_id, values, errors, 422)
        body: dict[str, Any] = {"status": status, "asesor_note": catatan_asesor.strip()}
        if index:
            body["asesor_index"] = index.replace(",", ".")
        try:
            scorer.patch(f"/api/v1/periods/{period_id}", body)
        except ScorerRefused as exc:
            if exc.status_code not in FORM_STATUSES:
                raise
            if "asesor_index" in exc.detail:
                errors = {"indeks_asesor": "Indeks asesor berada di luar skala kerangka ini."}
            else:
                errors = {"form": message_of(exc)}
            return _overview(request, scorer, period_id, values, errors, exc.status_code)
        return see_other(f"/evaluasi/{period_id}?pesan=kelola")

    return scorer_page(request, change)


@router.post("/evaluasi/{period_id}/usulan")
def run_proposals(request: Request, period_id: PeriodId) -> Response:
    def run(scorer: ScorerClient) -> Response:
        scorer.post(f"/api/v1/periods/{period_id}/runs")
        return see_other(f"/evaluasi/{period_id}?pesan=usulan")

    return scorer_page(request, run)


@router.get("/evaluasi/{period_id}/opd/{code}")
def opd_page(request: Request, period_id: PeriodId, code: OpdCode) -> Response:
    code = code.upper()

    def show(scorer: ScorerClient) -> Response:
        period = scorer.get(f"/api/v1/periods/{period_id}")["period"]
        found = scorer.get(f"/api/v1/periods/{period_id}/worksheets", opd=code)
        context = {
            "title": f"Ruang kerja {code}",
            "period": period_view(period),
            "code": code,
            "own": code in principal_of(request).member_of,
            "worksheets": [worksheet_row(w) for w in found["data"]],
        }
        return page(request, "evaluasi_opd.html", context)

    return scorer_page(request, show)


@router.get("/evaluasi/{period_id}/tinjauan")
def review_queue_page(request: Request, period_id: PeriodId) -> Response:
    def show(scorer: ScorerClient) -> Response:
        period = scorer.get(f"/api/v1/periods/{period_id}")["period"]
        found = scorer.get(f"/api/v1/periods/{period_id}/worksheets", status="submitted")
        context = {
            "title": "Tinjauan lembar kerja",
            "period": period_view(period),
            "worksheets": [worksheet_row(w) for w in found["data"]],
        }
        return page(request, "evaluasi_tinjauan.html", context)

    return scorer_page(request, show)


@router.get("/evaluasi/{period_id}/unduh")
def export(request: Request, period_id: PeriodId) -> Response:
    def send(scorer: ScorerClient) -> Response:
        book = scorer.download(
            f"/api/v1/periods/{period_id}/export.xlsx", f"evaluasi-{period_id}.xlsx"
        )
        return streamed(book)

    return scorer_page(request, send)


router.include_router(evaluation_asesor.router)
router.include_router(evaluation_worksheet.router)


DOCUMENT_MAX_BYTES = 20 * 1024 * 1024  # the scorer's default limit; it answers 413 past its own
MULTIPART_OVERHEAD = 64 * 1024


def upload_limits(settings: InventorySettings) -> dict[str, int]:
    """The body limits of the two upload pages (route templates; the API's limit is smaller)."""
    floor = settings.max_body_bytes
    return {
        "/evaluasi/{period_id}/indikator/{indicator}/dokumen": max(
            floor, DOCUMENT_MAX_BYTES + MULTIPART_OVERHEAD
        ),
        # the confirmation form carries the checked sheet again, base64 (4/3 of its size)
        "/evaluasi/{period_id}/asesor": max(
            floor, 2 * evaluation_asesor.ASESOR_MAX_BYTES + MULTIPART_OVERHEAD
        ),
    }
