"""Register rows to ApplicationDeclared / AssetDeclared, collecting every error per row. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable
from ipaddress import ip_address
from typing import TypeVar

from pydantic import HttpUrl, TypeAdapter, ValidationError

from spbe_common.events.enums import (
    ApplicationKind,
    ApplicationStatus,
    AssetKind,
    HostingKind,
    Platform,
)
from spbe_common.events.payloads import MAC_PATTERN, ApplicationDeclared, AssetDeclared

from .enums import RegisterKind
from .schemas import COLUMNS, RowError, SheetRow

OPD_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{0,31}$")
_E = TypeVar("_E")
_SPLIT = re.compile(r"[;\n,]+")
_URL = TypeAdapter(HttpUrl)
_MAC = re.compile(MAC_PATTERN)

KINDS = {"umum": ApplicationKind.GENERAL, "khusus": ApplicationKind.SPECIAL}
PLATFORMS = {
    "web": Platform.WEB, "mobile": Platform.MOBILE, "seluler": Platform.MOBILE,
    "android": Platform.MOBILE, "desktop": Platform.DESKTOP, "lainnya": Platform.OTHER,
}  # fmt: skip
HOSTINGS = {
    "pusat data pemda": HostingKind.PUSAT_DATA_PEMDA, "pdn": HostingKind.PDN,
    "cloud": HostingKind.CLOUD, "komputasi awan": HostingKind.CLOUD,
    "ruang server opd": HostingKind.OPD_SERVER_ROOM, "saas nasional": HostingKind.NATIONAL_SAAS,
    "lainnya": HostingKind.OTHER,
}  # fmt: skip
STATUSES = {
    "aktif": ApplicationStatus.ACTIVE, "tidak aktif": ApplicationStatus.INACTIVE,
    "nonaktif": ApplicationStatus.INACTIVE, "pensiun": ApplicationStatus.RETIRED,
    "dihentikan": ApplicationStatus.RETIRED,
}  # fmt: skip
ASSET_KINDS = {
    "server": AssetKind.SERVER, "mesin virtual": AssetKind.VM, "vm": AssetKind.VM,
    "perangkat jaringan": AssetKind.NETWORK_DEVICE, "penyimpanan": AssetKind.STORAGE,
    "perangkat keamanan": AssetKind.SECURITY_DEVICE, "periferal": AssetKind.PERIPHERAL,
    "lainnya": AssetKind.OTHER,
}  # fmt: skip


class _Row:
    """Reads one row's cells, remembering every problem instead of stopping at the first."""

    def __init__(self, row: SheetRow) -> None:
        self.row = row
        self.errors: list[RowError] = []

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row.number, column, message))

    def text(self, column: str, required: bool = False, limit: int = 200) -> str | None:
        value = self.row.values.get(column, "").strip()
        if value.startswith("="):
            self.error(column, "rumus (formula) tidak diizinkan")
            return None
        if required and not value:
            self.error(column, "wajib diisi")
        if len(value) > limit:
            self.error(column, f"terlalu panjang (maksimal {limit} karakter)")
            return None
        return value or None

    def choice(self, column: str, choices: dict[str, _E]) -> _E | None:
        value = self.text(column)
        if value is None:
            return None
        found = choices.get(" ".join(value.lower().split()))
        if found is None:
            self.error(
                column, f"nilai '{value}' tidak dikenal; pilih salah satu: {', '.join(choices)}"
            )
        return found

    def many(self, column: str, parse: Callable[[str], str], what: str) -> list[str]:
        parsed: list[str] = []
        for item in _SPLIT.split(self.text(column, limit=2000) or ""):
            if not item.strip():
                continue
            try:
                parsed.append(parse(item.strip()))
            except ValueError:
                self.error(column, f"'{item.strip()}' bukan {what} yang valid")
        return parsed

    def opd(self) -> str | None:
        value = (self.text("Kode OPD", required=True, limit=32) or "").upper()
        if value and not OPD_CODE.fullmatch(value):
            self.error("Kode OPD", "hanya huruf, angka, titik, garis bawah atau tanda hubung")
        return value or None


def _url(text: str) -> str:
    try:
        return str(_URL.validate_python(text))
    except ValidationError:
        raise ValueError(text) from None


def _ip(text: str) -> str:
    return str(ip_address(text))


def _mac(cells: _Row) -> str | None:
    value = cells.text("MAC")
    if value is None:
        return None
    normalized = value.upper().replace("-", ":")
    if not _MAC.fullmatch(normalized):
        cells.error("MAC", f"'{value}' bukan alamat MAC (contoh 00:00:5E:00:53:01)")
        return None
    return normalized


def to_application(
    row: SheetRow, declared_by: str
) -> tuple[ApplicationDeclared | None, list[RowError]]:
    cells = _Row(row)
    values = {
        "name": cells.text("Nama Aplikasi", required=True),
        "opd": cells.opd(),
        "urls": cells.many("URL", _url, "URL http(s)"),
        "kind": cells.choice("Jenis (umum/khusus)", KINDS),
        "platform": cells.choice("Platform", PLATFORMS),
        "hosting": cells.choice("Hosting", HOSTINGS),
        "status": cells.choice("Status", STATUSES),
        "description": cells.text("Deskripsi", limit=2000),
    }
    if cells.errors:
        return None, cells.errors
    return ApplicationDeclared(declared_by=declared_by, **values), []


def to_asset(row: SheetRow, declared_by: str) -> tuple[AssetDeclared | None, list[RowError]]:
    cells = _Row(row)
    values = {
        "name": cells.text("Nama Aset", required=True),
        "kind": cells.choice("Jenis Aset", ASSET_KINDS),
        "addresses": cells.many("Alamat IP", _ip, "alamat IP"),
        "mac": _mac(cells),
        "serial": cells.text("Nomor Seri", limit=100),
        "location": cells.text("Lokasi"),
        "opd": cells.opd(),
    }
    if not (values["mac"] or values["serial"] or values["addresses"]) and not cells.errors:
        cells.error("MAC", "isi minimal satu dari MAC, Nomor Seri atau Alamat IP")
    if cells.errors:
        return None, cells.errors
    return AssetDeclared(declared_by=declared_by, **values), []


TRANSFORMS = {RegisterKind.APPLICATIONS: to_application, RegisterKind.ASSETS: to_asset}


def detect_kind(headers: list[str]) -> RegisterKind:
    """Applications if 'Nama Aplikasi' is a header, assets if 'Nama Aset' is; else ValueError."""
    for kind, columns in COLUMNS.items():
        if columns[0].header in headers:
            return kind
    raise ValueError("kolom 'Nama Aplikasi' atau 'Nama Aset' tidak ditemukan di baris judul")


def missing_headers(kind: RegisterKind, headers: list[str]) -> list[str]:
    return [c.header for c in COLUMNS[kind] if c.required and c.header not in headers]
