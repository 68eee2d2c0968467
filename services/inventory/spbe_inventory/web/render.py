"""Rendering of the web pages: one Jinja2 environment, the menu a principal may see, and the
helpers every template uses (labels in Bahasa Indonesia, times in WIB, the CSRF token)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from spbe_common import webassets
from spbe_common.auth import Permission, Principal, Role
from spbe_common.catalogue import service_area_label
from spbe_common.events import enums

from . import labels

HERE = Path(__file__).parent
WIB = ZoneInfo("Asia/Jakarta")
templates = Jinja2Templates(directory=HERE / "templates")
# Pages load scripts, styles and images from this service only (nothing from another host).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Cache-Control": "no-store",  # pages hold an OPD's records
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@dataclass(frozen=True)
class MenuItem:
    href: str
    text: str
    need: Permission | None  # None: every signed-in account


MENU = (
    MenuItem("/beranda", "Beranda", None),
    MenuItem("/katalog/aset", "Aset", Permission.CATALOGUE_READ),
    MenuItem("/katalog/layanan", "Layanan", Permission.CATALOGUE_READ),
    MenuItem("/katalog/aplikasi", "Aplikasi", Permission.CATALOGUE_READ),
    MenuItem("/katalog/opd", "OPD", Permission.OPD_READ),
    MenuItem("/katalog/fasilitas", "Fasilitas", Permission.CATALOGUE_READ),
    MenuItem("/katalog/jaringan", "Jaringan Intra", Permission.CATALOGUE_READ),
    MenuItem("/impor", "Impor", Permission.CATALOGUE_WRITE),
    MenuItem("/pemindaian", "Pemindaian", Permission.CATALOGUE_READ),
    MenuItem("/tinjauan", "Tinjauan", Permission.CATALOGUE_READ),
    MenuItem("/penilaian", "Penilaian", Permission.SCORES_READ),
    MenuItem("/evaluasi", "Evaluasi", Permission.WORKSHEETS_READ),
    MenuItem("/kejadian-ditolak", "Kejadian ditolak", Permission.REJECTED_READ),
    MenuItem("/pengaturan/akun", "Akun", Permission.ACCOUNTS),
)


def menu_of(principal: Principal | None) -> list[MenuItem]:
    if principal is None:
        return []
    return [item for item in MENU if item.need is None or principal.can(item.need)]


def when(value: datetime | str | None, with_time: bool = True) -> str:
    """A time as staff read it: WIB, day-month-year."""
    if value is None or value == "":
        return "-"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # the catalogue stores UTC
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    local = value.astimezone(WIB)
    return local.strftime("%d-%m-%Y %H:%M WIB" if with_time else "%d-%m-%Y")


def number(value: int | float | None) -> str:
    """Thousands with a dot, decimals with a comma (Indonesian)."""
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}"
    else:
        text = f"{int(value):,}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def query(request: Request, **changes: Any) -> str:
    """The current page's query string with `changes` applied (None removes a key)."""
    params = {k: v for k, v in request.query_params.multi_items()}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params) if params else "?"


templates.env.globals.update(
    label=labels.label,
    choices=labels.choices,
    enums=enums,
    Role=Role,
    Permission=Permission,
    vendor=webassets.url,
    when=when,
    number=number,
    query=query,
)
templates.env.filters.update(
    when=when, number=number, area=service_area_label, probe_error=labels.probe_error
)


def page(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """A whole page (or, for an htmx request of a fragment template, just that fragment)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    full = {
        "request": request,
        "principal": principal,
        "menu": menu_of(principal),
        "csrf": principal.csrf if principal is not None and principal.csrf else "",
        "path": request.url.path,
        **(context or {}),
    }
    return templates.TemplateResponse(request, template, full, status_code=status, headers=HEADERS)
