"""Read a whole register (the dry run): the header row found, every row parsed or skipped with a
reason, every problem of every row reported at once."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from spbe_common.events.payloads import ApplicationDeclared, AssetDeclared

from .enums import RegisterKind
from .get import RegisterRejected, read_sheets
from .headers import (
    NUMBER,
    HeaderChoice,
    choose_header,
    in_thousands,
    kind_from_name,
    other_tables,
    with_sub_header,
)
from .layout import Layout
from .schemas import COLUMNS, Cell, ParsedRegister, RowError, RowWarning, SheetRow, Skipped
from .transform import TRANSFORMS

_IDENTITY = ("asset_code", "serial", "mac")
# clerks hide the rows of items no longer in use rather than delete them: imported, but said
HIDDEN = "baris tersembunyi di Excel: periksa apakah barang masih dipakai"


def _above(choice: HeaderChoice) -> list[Skipped]:
    skipped = []
    for number, cells in enumerate(choice.sheet.rows[: choice.row - 1], start=1):
        text = next((c.text for c in cells if c.text), "")
        reason = f"judul di atas tabel ('{text[:60]}')" if text else "baris kosong"
        skipped.append(Skipped(number, reason))
    skipped.append(
        Skipped(
            choice.row,
            f"baris judul kolom (lembar '{choice.sheet.name}', {choice.recognised} kolom dikenali)",
        )
    )
    if choice.depth == 2:
        skipped.append(Skipped(choice.row + 1, "baris judul kolom kedua (di bawah judul kelompok)"))
    return skipped


def _data_row(number: int, cells: list[Cell], choice: HeaderChoice) -> SheetRow:
    values = {
        m.field: (m.header, cells[m.index])
        for m in choice.columns
        if m.field and m.field != NUMBER and m.index < len(cells)
    }
    return SheetRow(number, values)


def _identity(row: ApplicationDeclared | AssetDeclared) -> tuple[str, tuple[str, ...]] | None:
    """The key two rows of one file must not share, and the field that carries it."""
    if isinstance(row, ApplicationDeclared):
        return "name", (row.opd, row.name.casefold())
    for name in _IDENTITY:
        value = getattr(row, name)
        if value:
            return name, (name, str(value).casefold())
    if row.addresses:
        return None  # an address may be shared by design (a VIP); the inventory decides
    return "name", ("name", row.opd or "", (row.name or "").casefold())


def _duplicates(register: ParsedRegister) -> list[RowError]:
    seen: dict[tuple[str, ...], int] = {}
    errors: list[RowError] = []
    for number, row in zip(register.numbers, register.rows, strict=True):
        found = _identity(row)
        if found is None:
            continue
        name, key = found
        if key in seen:
            asset = isinstance(row, AssetDeclared) and name == "name"
            hint = "; bedakan dengan kode barang atau nomor seri" if asset else ""
            if name == "asset_code":  # a KIR's code names the kind of goods, not the item
                hint = (
                    "; kode barang tanpa nomor register menunjuk jenis barang, bukan satu barang:"
                    " tambahkan kolom No. Register (kode/no. register tiap barang), atau"
                    " kosongkan kode barangnya"
                )
            message = f"duplikat dari baris {seen[key]}{hint}"
            errors.append(RowError(number, register.header_of(name), message))
        seen.setdefault(key, number)
    return errors


NAME_OF_KIND = {RegisterKind.ASSETS: "aset", RegisterKind.APPLICATIONS: "aplikasi"}


def read_register(
    path: Path, max_bytes: int, max_rows: int, declared_by: str = "", opd: str | None = None
) -> ParsedRegister:
    """Every row parsed or skipped; `errors` lists every problem of every row at once.
    `opd`: the one OPD of the whole file (rows may leave Kode OPD empty; a row naming another
    OPD is an error). RegisterRejected when the whole file is refused (size, type, corrupt,
    no header row)."""
    sheets = read_sheets(path, max_bytes, max_rows)
    choice = kind_from_name(in_thousands(with_sub_header(choose_header(sheets))))
    register = ParsedRegister(choice.kind, choice.sheet.name, choice.row, choice.columns)
    others = other_tables(sheets, choice)
    if others:  # only one sheet is read: the others' rows would be left out without a word
        listed = ", ".join(f"'{name}'" for name in others)
        register.errors.append(
            RowError(
                None,
                "",
                f"lembar {listed} juga berisi tabel {NAME_OF_KIND[choice.kind]}, padahal hanya"
                f" lembar '{choice.sheet.name}' yang dibaca: satukan semua baris dalam satu"
                " lembar, atau unggah satu berkas per lembar",
            )
        )
    register.skipped = _above(choice)
    headers = {c.field: c.header for c in COLUMNS[choice.kind]}
    headers.update({m.field: m.header for m in choice.columns if m.field})
    transform, layout = TRANSFORMS[choice.kind], Layout(choice.columns)
    chosen = opd.upper() if opd else None
    first = choice.row + choice.depth - 1  # the last header row
    for number, cells in enumerate(choice.sheet.rows[first:], start=first + 1):
        reason = layout.skip_reason(cells)
        if reason:
            register.skipped.append(Skipped(number, reason))
            continue
        register.data_rows += 1
        if register.data_rows > max_rows:
            raise RegisterRejected(f"terlalu banyak baris: batas {max_rows} baris data")
        row = _data_row(number, cells, choice)
        if named := row.values.get("name"):
            register.names[number] = named[1].text  # a row with errors is still known by it
        if number in choice.sheet.hidden:
            register.warnings.append(RowWarning(number, "", HIDDEN))
        payload, errors, warnings = transform(
            row, headers, chosen, declared_by or f"import:{path.name}"
        )
        register.errors += errors
        register.warnings += warnings
        if payload is not None:
            register.rows.append(payload)
            register.numbers.append(number)
    _finish(register)
    return register


def _finish(register: ParsedRegister) -> None:
    register.errors += _duplicates(register)
    if register.data_rows == 0:  # a problem of the whole file, not of its header row
        register.errors.append(
            RowError(
                None,
                "",
                f"berkas hanya berisi judul kolom (baris {register.header_row}), tanpa baris"
                f" data: isi baris {NAME_OF_KIND[register.kind]} di bawah judul kolom, lalu"
                " unggah lagi",
            )
        )
    duplicated = {e.row for e in register.errors}
    pairs = zip(register.numbers, register.rows, strict=True)
    kept = [(n, r) for n, r in pairs if n not in duplicated]
    register.numbers = [n for n, _r in kept]
    register.rows = [r for _n, r in kept]
    register.errors.sort(key=lambda e: e.row or 0)


def check_catalogue(
    register: ParsedRegister, known: Collection[str], chosen: str | None = None
) -> None:
    """Every row's OPD must be in the catalogue (`known` codes): a row naming another is an
    error, so nothing reported importable is set aside later. An unknown `chosen` OPD (the
    file's) is one error of the whole file."""
    if chosen and chosen.upper() not in known:
        message = f"OPD '{chosen.upper()}' yang dipilih untuk berkas ini tidak ada di katalog"
        register.errors.insert(0, RowError(None, register.header_of("opd"), message))
        register.rows, register.numbers = [], []
        return
    kept_rows, kept_numbers = [], []
    for number, row in zip(register.numbers, register.rows, strict=True):
        if row.opd not in known:
            register.errors.append(
                RowError(number, register.header_of("opd"), f"OPD '{row.opd}' tidak ada di katalog")
            )
            continue
        kept_rows.append(row)
        kept_numbers.append(number)
    register.rows, register.numbers = kept_rows, kept_numbers
    register.errors.sort(key=lambda e: e.row or 0)
