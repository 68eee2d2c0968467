"""Columns of each register, and the results of reading one."""

from __future__ import annotations

from dataclasses import dataclass, field

from spbe_common.events.payloads import ApplicationDeclared, AssetDeclared

from .enums import RegisterKind


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    required: bool = False
    example: str = ""


APPLICATION_COLUMNS = (
    Column("Nama Aplikasi", required=True, example="PPID"),
    Column("Kode OPD", required=True, example="DISKOMINFOSATIK"),
    Column("URL", example="https://ppid.serangkab.go.id"),
    Column("Jenis (umum/khusus)", example="khusus"),
    Column("Platform", example="web"),
    Column("Hosting", example=""),
    Column("Status", example="aktif"),
    Column("Deskripsi", example="Layanan informasi publik (contoh)"),
)
ASSET_COLUMNS = (
    Column("Nama Aset", required=True, example="Server aplikasi (data contoh fiktif)"),
    Column("Jenis Aset", example="server"),
    Column("Alamat IP", example="192.0.2.10"),
    Column("MAC", example="00:00:5E:00:53:01"),
    Column("Nomor Seri", example="CONTOH-0001"),
    Column("Lokasi", example="Ruang server (contoh fiktif)"),
    Column("Kode OPD", required=True, example="DISKOMINFOSATIK"),
)
COLUMNS: dict[RegisterKind, tuple[Column, ...]] = {
    RegisterKind.APPLICATIONS: APPLICATION_COLUMNS,
    RegisterKind.ASSETS: ASSET_COLUMNS,
}


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem, reported to the OPD officer: row number as in the sheet, column, message."""

    row: int
    column: str
    message: str


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int
    values: dict[str, str]


@dataclass(slots=True)
class ParsedRegister:
    kind: RegisterKind
    rows: list[ApplicationDeclared | AssetDeclared] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # the sheet row of each of `rows`
