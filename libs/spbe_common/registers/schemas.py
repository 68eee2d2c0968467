"""Cells and sheets as read, the template's columns, and the results of reading a register."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spbe_common.events.payloads import ApplicationDeclared, AssetDeclared

from .enums import RegisterKind


@dataclass(frozen=True, slots=True)
class Cell:
    text: str  # trimmed, spaces collapsed; a formula's own text ("=COUNTA(B5:B22)")
    value: Any  # as the workbook holds it (int, float, datetime, str, None)
    formula: bool
    coordinate: str  # "E7"
    merged: bool = False  # the value of a merge above it that spans rows (not its own)


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    rows: list[list[Cell]]  # rows[0] is sheet row 1
    hidden: frozenset[int] = frozenset()  # the sheet rows hidden in Excel (or filtered out)


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the template (the header written, the field it fills, an example)."""

    header: str
    field: str
    required: bool = False
    example: str = ""


APPLICATION_COLUMNS = (
    Column("Nama Aplikasi", "name", required=True, example="PPID"),
    Column("Kode OPD", "opd", required=True, example="DISKOMINFOSATIK"),
    Column("URL", "urls", example="https://ppid.serangkab.go.id"),
    Column("Jenis (umum/khusus)", "kind", example="khusus"),
    Column("Platform", "platform", example="web"),
    Column("Hosting", "hosting", example=""),
    Column("Status", "status", example="aktif"),
    Column("Deskripsi", "description", example="Layanan informasi publik (contoh)"),
    Column("Lisensi", "licence", example="Open source (GPL)"),
    Column("Masa Lisensi", "licence_until", example=""),
)
ASSET_COLUMNS = (
    Column("Nama Aset", "name", required=True, example="Server aplikasi (data contoh fiktif)"),
    Column("Jenis Aset", "kind", example="server"),
    Column("Merk", "manufacturer", example="Contoh Merk"),
    Column("Tipe", "model", example="CX-100"),
    Column("Alamat IP", "addresses", example="192.0.2.10"),
    Column("MAC", "mac", example="00:00:5E:00:53:01"),
    Column("Nomor Seri", "serial", example="CONTOH-0001"),
    Column("Kode Barang", "asset_code", example="1.3.2.10.02.03.001"),
    Column("Lokasi", "location", example="Ruang server (contoh fiktif)"),
    Column("Tahun Pengadaan", "procurement_year", example="2022"),
    Column("Kondisi", "condition", example="Baik"),
    Column("Nilai Perolehan (Rp)", "acquisition_cost", example="45000000"),
    Column("Sumber Dana", "funding_source", example="APBD"),
    Column("Garansi s.d.", "warranty_until", example="2025-12-31"),
    Column("Keterangan", "notes", example=""),
    Column("Kode OPD", "opd", required=True, example="DISKOMINFOSATIK"),
)
COLUMNS: dict[RegisterKind, tuple[Column, ...]] = {
    RegisterKind.APPLICATIONS: APPLICATION_COLUMNS,
    RegisterKind.ASSETS: ASSET_COLUMNS,
}


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem, reported to the OPD officer: row number as in the sheet (None: the whole
    file), column header as in the sheet, message."""

    row: int | None
    column: str
    message: str


@dataclass(frozen=True, slots=True)
class RowWarning:
    """Something the OPD officer should check in a row that is imported all the same (a row
    hidden in Excel, an item read as written off): row number as in the sheet, column header as
    in the sheet ("" for the whole row), message."""

    row: int
    column: str
    message: str


@dataclass(frozen=True, slots=True)
class Skipped:
    row: int
    reason: str


@dataclass(frozen=True, slots=True)
class Mapping:
    """A header cell of the chosen header row and the field it is read as (None: ignored)."""

    index: int  # 0-based column
    header: str
    field: str | None
    note: str = ""  # why a column is ignored


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int
    values: dict[str, tuple[str, Cell]]  # field -> (header, cell)


@dataclass(slots=True)
class ParsedRegister:
    kind: RegisterKind
    sheet: str = ""
    header_row: int = 0
    columns: list[Mapping] = field(default_factory=list)
    rows: list[ApplicationDeclared | AssetDeclared] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # the sheet row of each of `rows`
    data_rows: int = 0  # rows read as data (valid or not)
    names: dict[int, str] = field(default_factory=dict)  # sheet row -> its name cell, as written

    def header_of(self, name: str) -> str:
        """The sheet's header of field `name` (for messages), or the template's."""
        for mapping in self.columns:
            if mapping.field == name:
                return mapping.header
        return next((c.header for c in COLUMNS[self.kind] if c.field == name), name)
