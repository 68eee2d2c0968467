"""The worksheet of one indicator (lembar kerja): its criteria, the proposal derived from the
catalogue, the self-assessed level with penjelasan and justifikasi, bukti dukung, the review and
the assignment, with its history; and the download and removal of a document. The scorer decides
who may do what (the worksheet's may_edit / may_review); the forms only show what it allows."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import Connection

from spbe_common.auth import GRANTS, WORKSHEET_GRANTS, Permission, Role
from spbe_inventory.accounts import repository as accounts_repo
from spbe_inventory.api.deps import ConnDep
from spbe_inventory.opd import repository as opd_repo

from . import labels
from .evaluation_common import (
    DocumentId,
    Indicator,
    PeriodId,
    message_of,
    num,
    period_view,
    principal_of,
    scorer_page,
    see_other,
    shown_on_form,
    streamed,
    worksheet_row,
)
from .render import page
from .scorer_client import ScorerClient, ScorerRefused
from .scoring import evidence_view

router = APIRouter(include_in_schema=False)
documents = APIRouter(include_in_schema=False)
RECORD = re.compile(
    r"^(application|facility|asset|site|service_bus|audit|review|opd):[\w.-]{1,64}$"
)
LEVEL = re.compile(r"^[0-5]([.,][0-9]{1,2})?$")
NOTICES = {
    "disimpan": "Lembar kerja tersimpan sebagai draf.",
    "diterima": "Usulan dari katalog diterima sebagai tingkat penilaian mandiri.",
    "diajukan": "Lembar kerja diajukan untuk ditinjau.",
    "diverifikasi": "Lembar kerja diverifikasi.",
    "dikembalikan": "Lembar kerja dikembalikan kepada evaluatornya dengan komentar.",
    "ditugaskan": "Penugasan tersimpan.",
    "diunggah": "Bukti dukung tersimpan.",
    "dihapus": "Bukti dukung dihapus.",
    "asesor": "Nilai asesor tersimpan.",
}


def _path(period_id: int, indicator: str) -> str:
    return f"/api/v1/periods/{period_id}/worksheets/{indicator}"


def _page_url(period_id: int, indicator: str, notice: str = "") -> str:
    url = f"/evaluasi/{period_id}/indikator/{indicator}"
    return f"{url}?pesan={notice}" if notice else url


# --- the worksheet --------------------------------------------------------------------------------
@router.get("/evaluasi/{period_id}/indikator/{indicator}")
def worksheet_page(
    request: Request, conn: ConnDep, period_id: PeriodId, indicator: Indicator
) -> Response:
    notice = NOTICES.get(request.query_params.get("pesan", ""))
    options = evaluator_opds(conn) if principal_of(request).can(Permission.PERIODS_MANAGE) else []
    return scorer_page(
        request,
        lambda scorer: _show(
            request, scorer, period_id, indicator, notice=notice, opd_options=options
        ),
    )


def _show(
    request: Request,
    scorer: ScorerClient,
    period_id: int,
    indicator: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    notice: str | None = None,
    opd_options: list[tuple[str, str]] | None = None,
) -> Response:
    found, version = scorer.get_versioned(_path(period_id, indicator))
    sheet = worksheet_row(found)
    period = scorer.get(f"/api/v1/periods/{period_id}")["period"]
    history = scorer.get(f"{_path(period_id, indicator)}/history")["data"]
    context = {
        "title": f"Lembar kerja indikator {indicator}",
        "period": period_view(period),
        "w": sheet,
        "criteria": sorted((sheet.get("criteria") or {}).items()),
        "proposal": _proposal_view(sheet.get("proposal")),
        "documents": [_document_view(d) for d in sheet.get("documents", [])],
        "history": [_history_view(h) for h in history],
        "may_manage": principal_of(request).can(Permission.PERIODS_MANAGE),
        "may_download": principal_of(request).can(Permission.EVIDENCE_READ),
        "values": values or {},
        "errors": errors or {},
        "notice": notice,
        "version": version or "",
        "opd_options": opd_options or [],
    }
    return page(request, "evaluasi_lembar.html", context, status)


# --- the assignment -------------------------------------------------------------------------------
def evaluator_opds(conn: Connection) -> list[tuple[str, str]]:
    """Every OPD of the directory (code, name): the choices of the assignment's OPD."""
    return opd_repo.directory(conn)


def assignment_errors(conn: Connection, code: str, accounts: list[str]) -> dict[str, str]:
    """An OPD of the directory (its code exactly) and accounts that may fill in a worksheet."""
    errors = {}
    if not code:
        errors["opd"] = "Pilih OPD evaluator dari daftar, misalnya INSPEKTORAT."
    elif not opd_repo.exists(conn, code):
        errors["opd"] = f"OPD {code} tidak ada dalam daftar OPD. Pilih OPD evaluator dari daftar."
    problems = [account_problem(conn, name) for name in accounts]
    if any(problems):
        errors["akun"] = " ".join(p for p in problems if p)
    return errors


def account_problem(conn: Connection, name: str) -> str:
    """Why an account cannot be named on a worksheet, or "": it must exist, be active and be
    an evaluator (or an admin); an OPD operator or a viewer cannot fill in a worksheet."""
    row = accounts_repo.by_name(conn, name)
    if row is None:
        return f"Akun {name} tidak ada."
    if row["disabled"]:
        return f"Akun {name} dinonaktifkan."
    if not GRANTS[Role(row["role"])] >= WORKSHEET_GRANTS:
        role = ROLE_NAMES.get(row["role"], row["role"])
        return f"Akun {name} ({role}) tidak dapat mengisi lembar kerja; tugaskan akun evaluator."
    return ""


ROLE_NAMES = {"opd_operator": "pengelola TIK OPD", "viewer": "pembaca", "collector": "kolektor",
              "scorer": "layanan penilaian"}  # fmt: skip


def _proposal_view(proposal: dict[str, Any] | None) -> dict[str, Any] | None:
    if not proposal:
        return None
    return {
        **proposal,
        "level_text": num(proposal.get("level")),
        "evidence": [evidence_view(e) for e in proposal.get("evidence", [])],
    }


def _document_view(document: dict[str, Any]) -> dict[str, Any]:
    records = [
        f"{labels.scoring_label('evidence', r.get('kind'))} {r.get('id')}"
        if isinstance(r, dict)
        else str(r)
        for r in document.get("records") or []
    ]
    return {**document, "record_texts": records, "size_kb": max(1, document["size"] // 1024)}


# The parts of a history row's detail that people read, by their Indonesian names.
HISTORY_FIELDS = {
    "opd": "OPD", "accounts": "Akun", "level": "Tingkat", "source": "Asal tingkat",
    "fields": "Isian", "title": "Judul", "filename": "Berkas", "comment": "Komentar",
    "explanation": "Penjelasan", "justification": "Alasan", "note": "Catatan",
    "asesor_level": "Nilai asesor",
}  # fmt: skip


def _history_value(key: str, value: Any) -> str:
    if key == "source":
        return labels.scoring_label("worksheet_source", value)
    if key == "level" or key == "asesor_level":
        return num(value)
    if isinstance(value, list):
        return ", ".join(HISTORY_FIELDS.get(str(v), str(v)) for v in value)
    return str(value)


def _history_view(row: dict[str, Any]) -> dict[str, Any]:
    detail = row.get("detail")
    if isinstance(detail, dict):
        detail = "; ".join(
            f"{HISTORY_FIELDS[k]}: {_history_value(k, v)}"
            for k, v in detail.items()
            if k in HISTORY_FIELDS and v not in (None, "", [])
        )
    return {
        **row,
        "action_label": labels.scoring_label("worksheet_action", row.get("action")),
        "detail_text": detail or "",
    }


def _change(
    request: Request,
    period_id: int,
    indicator: str,
    values: dict[str, str],
    act: Callable[[ScorerClient], str | dict[str, str]],
    opd_options: list[tuple[str, str]] | None = None,
) -> Response:
    """Runs a change: a notice key on success (back to the worksheet), or the field errors the
    form shows; the scorer's 409/412/413/422 are shown on the form again."""

    def run(scorer: ScorerClient) -> Response:
        try:
            outcome = act(scorer)
        except ScorerRefused as exc:
            if not shown_on_form(exc):
                raise
            errors = {"form": message_of(exc)}
            return _show(
                request, scorer, period_id, indicator, values, errors, exc.status_code,
                opd_options=opd_options,
            )  # fmt: skip
        if isinstance(outcome, dict):
            return _show(
                request, scorer, period_id, indicator, values, outcome, 422,
                opd_options=opd_options,
            )  # fmt: skip
        return see_other(_page_url(period_id, indicator, outcome))

    return scorer_page(request, run)


def _level(text: str) -> int | float:
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() else value


@router.post("/evaluasi/{period_id}/indikator/{indicator}")
def save(
    request: Request,
    period_id: PeriodId,
    indicator: Indicator,
    tingkat: Annotated[str, Form(max_length=8)] = "",
    penjelasan: Annotated[str, Form(max_length=10_000)] = "",
    justifikasi: Annotated[str, Form(max_length=10_000)] = "",
    versi: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    values = {"tingkat": tingkat, "penjelasan": penjelasan, "justifikasi": justifikasi}

    def act(scorer: ScorerClient) -> str | dict[str, str]:
        tingkat_ = tingkat.strip()
        if tingkat_ and not LEVEL.match(tingkat_):
            return {"tingkat": "Tingkat berupa angka 1 sampai 5."}
        body: dict[str, Any] = {"explanation": penjelasan.strip()}
        if tingkat_:
            body["level"] = _level(tingkat_)
        if justifikasi.strip():
            body["justification"] = justifikasi.strip()
        scorer.patch(_path(period_id, indicator), body, if_match=versi or None)
        return "disimpan"

    return _change(request, period_id, indicator, values, act)


def _step(
    request: Request,
    period_id: int,
    indicator: str,
    action: str,
    notice: str,
    form: dict[str, str] | None = None,
    key: str = "",
) -> Response:
    """One step of the worksheet's workflow (the scorer's POST .../{action}); the form's one
    optional text, when given, goes as `key`."""
    form = form or {}
    text = "".join(form.values()).strip()

    def act(scorer: ScorerClient) -> str:
        scorer.post(f"{_path(period_id, indicator)}/{action}", {key: text} if text else {})
        return notice

    return _change(request, period_id, indicator, form, act)


@router.post("/evaluasi/{period_id}/indikator/{indicator}/terima")
def accept(
    request: Request,
    period_id: PeriodId,
    indicator: Indicator,
    penjelasan: Annotated[str, Form(max_length=10_000)] = "",
) -> Response:
    form = {"penjelasan": penjelasan}
    return _step(request, period_id, indicator, "accept", "diterima", form, "explanation")


@router.post("/evaluasi/{period_id}/indikator/{indicator}/ajukan")
def submit(request: Request, period_id: PeriodId, indicator: Indicator) -> Response:
    return _step(request, period_id, indicator, "submit", "diajukan")


@router.post("/evaluasi/{period_id}/indikator/{indicator}/verifikasi")
def verify(
    request: Request,
    period_id: PeriodId,
    indicator: Indicator,
    komentar: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    form = {"komentar": komentar}
    return _step(request, period_id, indicator, "verify", "diverifikasi", form, "comment")


@router.post("/evaluasi/{period_id}/indikator/{indicator}/kembalikan")
def send_back(
    request: Request,
    period_id: PeriodId,
    indicator: Indicator,
    komentar: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    def act(scorer: ScorerClient) -> str | dict[str, str]:
        if not komentar.strip():
            return {"komentar": "Komentar wajib diisi saat mengembalikan lembar kerja."}
        scorer.post(f"{_path(period_id, indicator)}/return", {"comment": komentar.strip()})
        return "dikembalikan"

    return _change(request, period_id, indicator, {"komentar": komentar}, act)


@router.post("/evaluasi/{period_id}/indikator/{indicator}/penugasan")
def assign(
    request: Request,
    conn: ConnDep,
    period_id: PeriodId,
    indicator: Indicator,
    opd: Annotated[str, Form(max_length=32)] = "",
    akun: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {"opd": opd, "akun": akun}
    code, accounts = opd.strip().upper(), [a for a in re.split(r"[,\s]+", akun) if a]

    def act(scorer: ScorerClient) -> str | dict[str, str]:
        errors = assignment_errors(conn, code, accounts)
        if errors:
            return errors
        scorer.put(f"{_path(period_id, indicator)}/assignment", {"opd": code, "accounts": accounts})
        return "ditugaskan"

    return _change(request, period_id, indicator, values, act, evaluator_opds(conn))


@router.post("/evaluasi/{period_id}/indikator/{indicator}/asesor")
def asesor_level(
    request: Request,
    period_id: PeriodId,
    indicator: Indicator,
    nilai_asesor: Annotated[str, Form(max_length=8)] = "",
    catatan_asesor: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """The external assessors' level of this indicator, entered by hand (empty clears it)."""
    values = {"nilai_asesor": nilai_asesor, "catatan_asesor": catatan_asesor}

    def act(scorer: ScorerClient) -> str | dict[str, str]:
        level = nilai_asesor.strip()
        if level and not LEVEL.match(level):
            return {"nilai_asesor": "Nilai asesor berupa angka pada skala kerangka, misalnya 2."}
        body = {"level": _level(level) if level else None, "note": catatan_asesor.strip() or None}
        try:
            scorer.put(f"/api/v1/periods/{period_id}/asesor/{indicator}", body)
        except ScorerRefused as exc:
            if exc.status_code != 422:
                raise
            return {"nilai_asesor": _asesor_message(exc.detail)}
        return "asesor"

    return _change(request, period_id, indicator, values, act)


def _asesor_message(detail: str) -> str:
    if "whole numbers" in detail:
        return "Nilai asesor pada kerangka ini berupa bilangan bulat."
    if "outside" in detail:
        return "Nilai asesor berada di luar skala kerangka ini."
    if "note" in detail:
        return "Catatan asesor terlalu panjang."
    return f"Nilai asesor tidak dapat disimpan: {detail}"


# --- bukti dukung ---------------------------------------------------------------------------------
@router.post("/evaluasi/{period_id}/indikator/{indicator}/dokumen")
def upload(
    request: Request,
    period_id: PeriodId,
    indicator: Indicator,
    berkas: Annotated[UploadFile | None, File()] = None,
    judul: Annotated[str, Form(max_length=300)] = "",
    catatan: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {"judul": judul, "catatan": catatan}

    def act(scorer: ScorerClient) -> str | dict[str, str]:
        records = [record_of(r) for r in catatan.split(",") if r.strip()]
        errors = _upload_errors(berkas, judul, records)
        if errors or berkas is None:
            return errors
        media = berkas.content_type or "application/octet-stream"
        file = (berkas.filename or "berkas", berkas.file, media)
        fields: dict[str, str | list[str]] = {"title": judul.strip(), "records": records}
        scorer.upload(f"{_path(period_id, indicator)}/documents", file, fields)
        return "diunggah"

    return _change(request, period_id, indicator, values, act)


# The words people write for a catalogue record's kind (and the scorer's own codes).
RECORD_KINDS = {
    "aplikasi": "application", "fasilitas": "facility", "aset": "asset", "lokasi": "site",
    "spl": "service_bus", "audit": "audit", "reviu": "review", "opd": "opd",
}  # fmt: skip
RECORD_TEXT = re.compile(r"^([A-Za-z_]+)\s*[:\s]\s*([\w.-]{1,64})$")


def record_of(text: str) -> str:
    """ "aplikasi 12" (or "application:12") as the scorer's "application:12"; text it does not
    read is returned as typed, for the form to name."""
    found = RECORD_TEXT.match(text.strip())
    if not found:
        return text.strip()
    kind = found.group(1).lower()
    return f"{RECORD_KINDS.get(kind, kind)}:{found.group(2)}"


def _upload_errors(berkas: UploadFile | None, title: str, records: list[str]) -> dict[str, str]:
    errors = {}
    if berkas is None or not berkas.filename:
        errors["berkas"] = "Pilih berkas bukti dukung."
    if not title.strip():
        errors["judul"] = "Isi judul bukti dukung."
    wrong = [r for r in records if not RECORD.match(r)]
    if wrong:
        errors["catatan"] = (
            "Tulis jenis catatan katalog lalu nomornya, misalnya aplikasi 12 atau fasilitas 3 "
            f"(tidak dikenali: {', '.join(wrong[:3])})."
        )
    return errors


@documents.get("/evaluasi/dokumen/{document_id}")
def download(request: Request, document_id: DocumentId) -> Response:
    return scorer_page(
        request,
        lambda scorer: streamed(
            scorer.download(f"/api/v1/documents/{document_id}", f"bukti-{document_id}")
        ),
    )


@documents.post("/evaluasi/dokumen/{document_id}/hapus")
def remove(
    request: Request,
    document_id: DocumentId,
    kembali: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    # back to the worksheet the form was on (a path of this site only)
    back = kembali if re.fullmatch(r"/evaluasi/\d+/indikator/[0-9A-Za-z._-]{1,16}", kembali) else ""

    def run(scorer: ScorerClient) -> Response:
        scorer.delete(f"/api/v1/documents/{document_id}")
        return see_other(f"{back}?pesan=dihapus" if back else "/evaluasi")

    return scorer_page(request, run)
