"""What every Evaluasi page shares: calling the scorer as the signed-in person, its refusals as
pages or as a message on the form, and the views of a period and a worksheet."""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import HTTPException, Path, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from spbe_common.auth import Principal
from spbe_common.numbers import decimal_comma, exact

from . import labels
from .errors import error_page
from .scorer_client import Download, ScorerClient, ScorerRefused, ScorerUnavailable
from .scoring import period_name

PeriodId = Annotated[int, Path(ge=1, le=2**31 - 1)]
DocumentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Indicator = Annotated[str, Path(pattern=r"^[0-9A-Za-z._-]{1,16}$")]
OpdCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_]{1,32}$")]

UNREACHABLE = (
    "Layanan penilaian tidak tersedia. Lembar kerja evaluasi tidak dapat dibuka atau disimpan "
    "saat ini; coba lagi sebentar lagi atau hubungi administrator."
)
FORM_STATUSES = frozenset({409, 412, 413, 415, 422})  # shown on the form again, with the message
# The scorer's English messages that a person meets on a form, in Bahasa Indonesia (by a part
# of the message; the first that matches).
KNOWN_MESSAGES = (
    (
        "is verified; it cannot change",
        "Lembar kerja ini sudah diverifikasi; isinya tidak dapat diubah lagi.",
    ),
    (
        "is submitted; it cannot change",
        "Lembar kerja ini sedang ditinjau; isinya tidak dapat diubah sampai dikembalikan.",
    ),
    (
        "another evaluator reviews it",
        "Lembar kerja diverifikasi oleh evaluator lain, bukan oleh yang mengajukannya.",
    ),
    ("justification", "Alasan (justifikasi) wajib diisi bila tingkat berbeda dari usulan."),
    ("no proposal", "Belum ada usulan dari katalog; klik Hitung usulan pada ringkasan periode."),
    ("explanation", "Penjelasan wajib diisi sebelum lembar kerja diajukan."),
    ("comment", "Komentar wajib diisi saat mengembalikan lembar kerja."),
    ("already evaluation period", "Periode evaluasi untuk tahun dan kerangka ini sudah ada."),
    ("already exists", "Periode evaluasi untuk tahun dan kerangka ini sudah ada."),
    ("closed", "Periode evaluasi sudah ditutup; lembar kerja tidak dapat diubah."),
    ("media type", "Jenis berkas tidak diterima (PDF, gambar, atau dokumen perkantoran)."),
    ("name ends in", "Ekstensi nama berkas tidak sesuai dengan isinya."),
    ("extension", "Ekstensi nama berkas tidak sesuai dengan isinya."),
    ("not a type accepted", "Jenis berkas tidak diterima (PDF, gambar, atau dokumen perkantoran)."),
    ("larger than", "Berkas terlalu besar."),
    ("too large", "Berkas terlalu besar."),
    ("level", "Tingkat wajib diisi dan berada pada skala kerangka ini."),
)


# 403s that a person can act on, shown on the form with their reason rather than the generic page
FORBIDDEN_ON_FORM = ("another evaluator reviews it",)


def shown_on_form(exc: ScorerRefused) -> bool:
    """The scorer's refusal belongs on the form (with message_of), not on an error page."""
    if exc.status_code in FORM_STATUSES:
        return True
    lowered = exc.detail.lower()
    return exc.status_code == 403 and any(part in lowered for part in FORBIDDEN_ON_FORM)


FIELD_NAMES = {
    "justification": "Alasan (justifikasi)", "explanation": "Penjelasan", "comment": "Komentar",
    "title": "Judul", "opd": "OPD evaluator",
}  # fmt: skip


def principal_of(request: Request) -> Principal:
    principal: Principal = request.state.principal
    return principal


def message_of(exc: ScorerRefused) -> str:
    """The scorer's refusal of a form, as the person reads it."""
    if exc.status_code == 413:
        return "Berkas terlalu besar."
    if exc.status_code == 412:
        return "Lembar kerja sudah diubah orang lain; muat ulang halaman lalu coba lagi."
    lowered = exc.detail.lower()
    short = re.search(r"(\w+): string should have at least (\d+)", lowered)
    if short:  # a field's own length rule, named by its field
        name = FIELD_NAMES.get(short.group(1), short.group(1))
        return f"{name} terlalu pendek (paling sedikit {short.group(2)} karakter)."
    for part, message in KNOWN_MESSAGES:
        if part in lowered:
            return message
    return f"Tidak dapat disimpan: {exc.detail}"


def scorer_page(request: Request, handler: Callable[[ScorerClient], Response]) -> Response:
    """Runs `handler` with a scorer client: the scorer down is a 503 notice in Bahasa Indonesia;
    its 401/403/404 (and a refusal no form handles) are the error pages."""
    try:
        return handler(ScorerClient.of(request))
    except ScorerUnavailable:
        return error_page(request, 503, UNREACHABLE)
    except ScorerRefused as exc:
        if exc.status_code in FORM_STATUSES:
            return error_page(request, exc.status_code, message_of(exc))
        raise HTTPException(exc.status_code) from None


def see_other(url: str) -> Response:
    return RedirectResponse(url, 303)


Number = float | int | str | Fraction | None


def num(value: Number) -> str:
    """A level as people read it: rounded like the index (spbe_common.numbers), a decimal
    comma, no trailing zeros ("1", "2,5")."""
    if value is None or value == "":
        return "-"
    text = decimal_comma(value)
    return text.rstrip("0").rstrip(",") if "," in text else text


def index_text(value: Number) -> str:
    """An index as it is published: two decimals, half up, a decimal comma ("1,06")."""
    if value is None or value == "":
        return "-"
    return decimal_comma(value)


def difference(value: Number, shown: Callable[[Number], str] = num) -> str:
    if value is None or value == "":
        return "-"
    return ("+" if exact(value) > 0 else "") + shown(value)


def index_difference(value: Number) -> str:
    return difference(value, index_text)


def exact_of(found: dict[str, Any], key: str) -> Number:
    """A scorer figure by its exact text when the scorer gives it (`key`_exact), else as is."""
    value: Number = found.get(f"{key}_exact")
    return found.get(key) if value is None else value


def status_label(value: object) -> str:
    return labels.scoring_label("worksheet_status", value)


STATUS_BADGE = {"verified": "ok", "submitted": "warn", "returned": "bad", "draft": "warn"}


def worksheet_row(row: dict[str, Any]) -> dict[str, Any]:
    """A worksheet (or an overview row) with the texts the tables show."""
    return {
        **row,
        "status_label": status_label(row.get("status")),
        "badge": STATUS_BADGE.get(str(row.get("status")), ""),
        "level_text": num(row.get("level")),
        "asesor_text": num(row.get("asesor_level")),
        "difference_text": difference(row.get("difference")),
        "source_label": labels.scoring_label("worksheet_source", row.get("level_source")),
    }


def period_view(period: dict[str, Any]) -> dict[str, Any]:
    return {
        **period,
        "framework_label": labels.scoring_label("framework", period.get("framework")),
        "status_label": labels.scoring_label("period_status", period.get("status")),
        "name": period_name(period),
    }


PROGRESS = ("not_started", "draft", "submitted", "verified", "returned")


def progress_cells(progress: dict[str, Any]) -> list[dict[str, Any]]:
    """Counts per status (in the order work goes), with their labels."""
    return [{"status": s, "label": status_label(s), "n": progress.get(s, 0)} for s in PROGRESS]


def streamed(download: Download) -> StreamingResponse:
    """A scorer file passed through as an attachment (never shown inline)."""
    headers = {
        "Content-Disposition": disposition(download.filename),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(
        download.chunks, media_type=download.media_type, headers=headers,
        background=BackgroundTask(download.close),
    )  # fmt: skip


def disposition(filename: str) -> str:
    """An attachment header: a plain ASCII name, and the UTF-8 name beside it."""
    plain = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in filename
    )
    return f"attachment; filename=\"{plain or 'berkas'}\"; filename*=UTF-8''{quote(filename)}"
