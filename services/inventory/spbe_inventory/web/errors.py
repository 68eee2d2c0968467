"""Errors on web pages are pages in Bahasa Indonesia; the API keeps its JSON errors.

A page asked for without a sign-in redirects to /masuk (and back afterwards)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from spbe_common import api

from .render import MENU, page

log = logging.getLogger(__name__)
JSON_PATHS = ("/api/", "/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/redoc")
TITLES = {
    400: "Permintaan tidak dapat diproses",
    401: "Silakan masuk",
    403: "Akses ditolak",
    404: "Halaman tidak ditemukan",
    405: "Permintaan tidak diizinkan",
    409: "Data bertabrakan",
    412: "Data sudah diubah orang lain",
    413: "Berkas terlalu besar",
    422: "Isian tidak valid",
    429: "Terlalu banyak permintaan",
    500: "Terjadi kesalahan",
    503: "Layanan sedang tidak tersedia",
}
MESSAGES = {
    403: "Peran atau cakupan OPD akun Anda tidak mengizinkan halaman ini.",
    404: "Halaman atau data yang Anda cari tidak ada, atau berada di luar cakupan OPD Anda.",
    500: "Terjadi kesalahan pada server: permintaan Anda tidak selesai. Coba lagi; bila terulang,"
    " laporkan waktu kejadiannya kepada admin aplikasi.",
    503: "Basis data tidak menjawab. Tidak ada yang tersimpan; coba lagi sebentar lagi.",
}
FORM_TOO_LONG = (
    "Isian formulir terlalu panjang: paling banyak {limit} karakter. Tidak ada yang tersimpan."
    " Kembali ke formulir, persingkat isiannya, lalu kirim lagi."
)
FORM_INVALID = (
    "Isian formulir tidak valid. Tidak ada yang tersimpan. Kembali ke formulir, periksa isiannya,"
    " lalu kirim lagi."
)
NOT_ALLOWED_CHARACTER = (
    "Alamat halaman memuat karakter yang tidak diizinkan (karakter NUL, tertulis %00). "
    "Periksa alamatnya atau isian pencariannya, lalu coba lagi."
)


class PageRefusal(StarletteHTTPException):
    """A refusal a page explains in its own words (Bahasa Indonesia), with the way back."""

    def __init__(self, status: int, message: str, back: tuple[str, str]) -> None:
        super().__init__(status, message)
        self.message, self.back = message, back


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(JSON_PATHS)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not is_page(request):
        return await api.http_error(request, exc)
    if exc.status_code == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response = RedirectResponse(f"/masuk?next={quote(target, safe='')}", 303)
        if request.headers.get("hx-request"):  # htmx follows the redirect of the whole page
            response.headers["HX-Redirect"] = "/masuk"
        return response
    if isinstance(exc, PageRefusal):
        return error_page(request, exc.status_code, exc.message, exc.back)
    return error_page(request, exc.status_code, MESSAGES.get(exc.status_code))


async def validation_error(request: Request, exc: Exception) -> Response:
    """A refused form field is not the address's fault: said as the form's (422); a refused
    query or path value is the address's (400). Forms that can show the field's own message keep
    their fields out of FastAPI's checks and check them themselves."""
    if not is_page(request):
        return await api.validation_error(request, exc)
    assert isinstance(exc, RequestValidationError)
    body = [e for e in exc.errors() if e.get("loc", ("",))[0] == "body"]
    if body and len(body) == len(exc.errors()):
        return error_page(request, 422, _form_message(body[0]))
    return error_page(request, 400, "Alamat halaman memuat nilai yang tidak valid.")


def _form_message(error: dict[str, Any]) -> str:
    limit = (error.get("ctx") or {}).get("max_length")
    if error.get("type") == "string_too_long" and limit is not None:
        return FORM_TOO_LONG.format(limit=limit)
    return FORM_INVALID


async def internal_error(request: Request, exc: Exception) -> Response:
    """An unexpected error on a page is the site's error page; the API keeps its JSON. Should
    the page itself fail to render, the plain answer is given."""
    if is_page(request):
        try:
            response = error_page(request, 500, MESSAGES[500])
        except Exception:  # the error page must never raise in its turn
            log.exception("the error page of a 500 could not be rendered")
        else:
            response.headers["Connection"] = "close"  # as the API's answer: the server drops it
            return response
    return await api.internal_error(request, exc)


def refused_target(scope: api.Scope, status: int, _part: str) -> Response | None:
    """A page address refused by the request limits (a NUL character) is explained on a page,
    with the way back to its menu item; an API path keeps the JSON body (None)."""
    request = Request(scope)
    if not is_page(request):
        return None
    return error_page(request, status, NOT_ALLOWED_CHARACTER, _menu_back(request.url.path))


def _menu_back(path: str) -> tuple[str, str] | None:
    """The menu item a path belongs to: a fixed address, never the refused one itself."""
    for item in MENU:
        if path == item.href or path.startswith(item.href + "/"):
            return item.href, f"Kembali ke {item.text}"
    return None


def error_page(
    request: Request, status: int, message: str | None = None, back: tuple[str, str] | None = None
) -> Response:
    title = TITLES.get(status, "Terjadi kesalahan")
    context = {"title": title, "status": status, "message": message, "back": back}
    return page(request, "galat.html", context, status)


def install(app: FastAPI) -> None:
    """Call after `spbe_common.api.install`: these handlers replace its three, for pages only."""
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, internal_error)
