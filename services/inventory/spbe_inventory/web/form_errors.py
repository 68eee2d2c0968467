"""The refusals of a form in Bahasa Indonesia, each next to its field: pydantic's validation
errors of the API's request models, and the 403/409/412/422 answers of the API's checks."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from pydantic import ValidationError

# Whole-form messages (shown above the form).
STALE = (
    "Data ini sudah diubah orang lain sejak Anda membukanya. Tidak ada yang tersimpan. "
    "Buka formulir ini lagi untuk melihat data terbaru, lalu ulangi perubahan Anda."
)
CONFLICT = "Isian ini bertabrakan dengan data yang sudah ada. Tidak ada yang tersimpan."
INVALID = "Periksa isian yang ditandai di bawah. Tidak ada yang tersimpan."
OUT_OF_SCOPE = "Anda hanya dapat menyimpan data untuk OPD dalam cakupan akun Anda."


def catalogued(name: str | None) -> str:
    """`name`: the catalogued asset's own name (not the one typed)."""
    named = f" sebagai '{name}'" if name else ""
    return (
        f"Aset ini sudah tercatat{named}: dikenali dari MAC, nomor seri, kode barang, alamat IP,"
        " atau OPD dan namanya. Tidak ada yang tersimpan. Ubah aset itu, atau bedakan aset baru"
        " dengan nomor seri atau kode barangnya."
    )


REQUIRED = "Wajib diisi."
# Fields whose value has a format: one message that shows how to write it.
FORMATS = {
    "mac": "Format MAC tidak valid. Tulis seperti AA:BB:CC:DD:EE:FF.",
    "addresses": "Alamat IP tidak valid. Tulis seperti 10.36.4.15 (IPv4) atau 2001:db8::1 (IPv6).",
    "urls": "Alamat URL tidak valid. Tulis lengkap dengan https://, misalnya "
    "https://sipd.serangkab.go.id.",
}
FORMAT_ERRORS = frozenset(
    {"string_pattern_mismatch", "value_error", "url_parsing", "url_scheme", "url_syntax_violation"}
)
# Numbers of the asset register: any refusal of one (not a number, out of range) shows its form.
NUMBERS = {
    "procurement_year": "Isi tahun dengan empat angka antara 1950 dan 2100, misalnya 2021.",
    "acquisition_cost": "Isi nilai rupiah yang tidak negatif, misalnya 12.500.000 atau"
    " Rp 12.500.000.",
}
NUMBER_ERRORS = frozenset(
    {"int_type", "int_parsing", "int_from_float", "greater_than_equal", "less_than_equal"}
)
DATE = (
    "Tanggal tidak valid. Pilih dari kalender atau tulis seperti 2027-12-31 (tahun-bulan-tanggal)."
)
DATE_ERRORS = frozenset(
    {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
)
# What the API's own checks (422 with a field) mean for a person filling the form.
CHECKS = {
    "mac": "Isi setidaknya salah satu: MAC, nomor seri, alamat IP, atau kode barang dengan OPD;"
    " tanpa semua itu, OPD dan nama aset.",
    "opd_code": "Kode OPD tidak dikenal.",
    "owner_opd_code": "Kode OPD tidak dikenal.",
    "facility_id": "Fasilitas tidak dikenal.",
    "asset_ids": "Ada aset yang tidak dikenal atau di luar cakupan OPD Anda: {detail}.",
}


def _message(kind: str, field: str, ctx: dict[str, Any]) -> str:
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return REQUIRED
    if kind in FORMAT_ERRORS and field in FORMATS:
        return FORMATS[field]
    if kind in NUMBER_ERRORS and field in NUMBERS:
        return NUMBERS[field]
    if kind in DATE_ERRORS:
        return DATE
    simple = {
        "string_too_short": "Terlalu pendek: paling sedikit {min_length} karakter.",
        "string_too_long": "Terlalu panjang: paling banyak {max_length} karakter.",
        "too_long": "Terlalu banyak isian: paling banyak {max_length}.",
        "enum": "Pilih salah satu pilihan yang tersedia.",
        "literal_error": "Pilih salah satu pilihan yang tersedia.",
        "int_type": "Isi dengan bilangan bulat, misalnya 100.",
        "int_parsing": "Isi dengan bilangan bulat, misalnya 100.",
        "greater_than_equal": "Paling kecil {ge}.",
        "greater_than": "Harus lebih dari {gt}.",
        "less_than_equal": "Paling besar {le}.",
        "less_than": "Angka terlalu besar.",
        "bool_type": "Pilihan tidak valid.",
    }
    template = simple.get(kind, "Isian tidak valid.")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return "Isian tidak valid."


def field_errors(exc: ValidationError, line_fields: frozenset[str]) -> dict[str, str]:
    """{field: message}; an item of a list typed one per line names its line (Baris 2: ...)."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = error.get("loc", ())
        field = str(loc[0]) if loc else ""
        if field in errors:
            continue  # one message per field: the first
        text = _message(error.get("type", ""), field, error.get("ctx") or {})
        if len(loc) > 1 and isinstance(loc[1], int) and field in line_fields:
            text = f"Baris {loc[1] + 1}: {text}"
        errors[field] = text
    return errors


def refusal(exc: HTTPException, opd_field: str) -> tuple[dict[str, str], str | None]:
    """(field messages, message above the form) for an answer of the API's checks."""
    if exc.status_code == 403:
        return {opd_field: OUT_OF_SCOPE}, INVALID
    if exc.status_code == 422:
        loc = getattr(exc, "loc", ("body",))
        field = str(loc[-1]) if len(loc) > 1 else ""
        detail = str(exc.detail).rpartition(":")[2].strip(" []")
        message = CHECKS.get(field, "Isian tidak valid.").format(detail=detail)
        return ({field: message} if field else {}), INVALID if field else message
    return {}, None


# --- accounts (Pengaturan > Akun): each refusal of the accounts service, and the field it is
# shown next to ("" : above the form)
ACCOUNT_REFUSALS: dict[str, tuple[str, str]] = {
    "bad_name": (
        "nama",
        "Nama akun 2 sampai 64 karakter: huruf kecil a-z, angka 0-9, titik, garis bawah atau"
        " tanda hubung, diawali huruf atau angka; misalnya tik-dinkes.",
    ),
    "name_reserved": ("nama", "Nama akun ini dipakai oleh halaman Akun. Pilih nama lain."),
    "name_taken": ("nama", "Nama akun ini sudah dipakai. Pilih nama lain."),
    "opd_required": ("opd", "Pengelola TIK OPD harus memiliki paling sedikit satu OPD."),
    "opd_not_allowed": (
        "opd",
        "Peran ini tidak memiliki OPD: kosongkan pilihan OPD (OPD hanya untuk pengelola TIK OPD,"
        " pembaca, dan OPD asal evaluator).",
    ),
    "unknown_opd": ("opd", "Kode OPD tidak dikenal: {detail}. Pilih OPD dari daftar."),
    "own_account": ("", "Anda tidak dapat menonaktifkan akun Anda sendiri."),
    "last_admin": (
        "",
        "Akun ini administrator aktif terakhir dan tidak dapat dinonaktifkan: aktifkan atau buat"
        " administrator lain lebih dulu.",
    ),
    "tokens_only": (
        "",
        "Akun ini masuk hanya dengan token; akun ini tidak memiliki kata sandi.",
    ),
    "disabled": ("", "Akun ini nonaktif: aktifkan lebih dulu sebelum membuat token."),
    "token_days": ("hari", "Isi masa berlaku 1 sampai 3650 hari."),
    "no_token": ("", "Token ini sudah dicabut atau bukan milik akun ini."),
}
ROLE_REQUIRED = "Pilih salah satu peran yang tersedia."
NAME_TOO_LONG = "Nama akun terlalu panjang (paling banyak {limit} karakter)."
TOO_MANY_OPD = "Terlalu banyak OPD dipilih."


def account_refusal(reason: str, detail: str = "") -> tuple[str, str]:
    """(field, message) of a refusal of the accounts service; an unexpected one above the form."""
    field, text = ACCOUNT_REFUSALS.get(reason, ("", "Permintaan ini tidak dapat dilakukan."))
    return field, text.format(detail=detail)
