"""Read a register file into sheets of raw cells (I/O), refusing anything malformed or risky.

Nothing is interpreted here: which row holds the headers, which rows are data and what a value
means is decided by the pure modules (`headers`, `layout`, `transform`)."""

from __future__ import annotations

import bisect
import contextlib
import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from .schemas import Cell, Sheet

# What openpyxl and the XML parsers raise on a damaged workbook (broken XML is a SyntaxError,
# of xml.etree and of lxml alike); RegisterRejected, a ValueError, is re-raised before these.
_UNREADABLE = (
    InvalidFileException, KeyError, OSError, ValueError, TypeError, AttributeError, IndexError,
    SyntaxError, zipfile.BadZipFile, EOFError, zlib.error,
)  # fmt: skip
_XLSX_UNREADABLE = (
    "file XLSX rusak atau tidak dapat dibaca; buka berkasnya di Excel, simpan ulang sebagai"
    " 'Excel Workbook (.xlsx)', lalu unggah lagi"
)
_ZIP_EXPANSION_LIMIT = 20  # uncompressed XLSX may be at most this many times the byte limit
MAX_COLUMNS = 60  # a register has a few dozen columns at most; the rest of a wide sheet is noise
HEAD_ROWS = 30  # title rows (a KIB's block takes 15 or more), a blank row and the headers


class RegisterRejected(ValueError):
    """The whole file is refused; the message (Bahasa Indonesia) says why. Nothing is published."""


def _check_size(path: Path, max_bytes: int) -> None:
    if not path.is_file():
        raise RegisterRejected(f"file {path} tidak ditemukan")
    size = path.stat().st_size
    if size > max_bytes:
        raise RegisterRejected(f"file terlalu besar: {size} byte, batas {max_bytes} byte")


def _check_zip(path: Path, max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
            if total > max_bytes * _ZIP_EXPANSION_LIMIT:
                raise RegisterRejected("isi XLSX terlalu besar setelah diekstrak")
            if archive.testzip() is not None:
                raise RegisterRejected("file XLSX rusak (CRC zip tidak cocok)")
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        raise RegisterRejected("file XLSX rusak atau bukan XLSX (zip tidak valid)") from exc


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without '.0', dates as ISO, spaces collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def _cell(value: Any, formula: bool, row: int, column: int, merged: bool = False) -> Cell:
    text = str(value).strip() if formula else cell_text(value)
    return Cell(text, value, formula, f"{get_column_letter(column)}{row}", merged)


def _too_many(max_rows: int) -> RegisterRejected:
    return RegisterRejected(f"terlalu banyak baris: batas {max_rows} baris data")


Spot = tuple[int, int]  # (row, column), 1-based


_MERGE = re.compile(
    rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3}[0-9]{1,7}:[A-Z]{1,3}[0-9]{1,7})"'
)
_HIDDEN_ROW = re.compile(
    rb"<(?:\w+:)?row(?=\s)(?=[^>]*?\shidden=[\"'](?:1|true)[\"'])[^>]*?\sr=[\"']([0-9]{1,7})[\"']"
)
_CHUNK = 1 << 20


def _tags(xml: IO[bytes], pattern: re.Pattern[bytes]) -> Iterator[str]:
    """The first group of every match of `pattern` (one tag) in a sheet's XML, read in chunks
    (a part may be tens of MB)."""
    tail = b""
    while chunk := xml.read(_CHUNK):
        text = tail + chunk
        last = 0
        for found in pattern.finditer(text):
            last = found.end()
            yield found.group(1).decode()
        tail = text[max(last, len(text) - 512) :]  # a tag cut by the chunk's end comes again


def _part(sheet: Any) -> str | None:
    return getattr(sheet, "_worksheet_path", None)  # openpyxl's read-only sheet keeps its part


Merges = dict[int, list[tuple[int, int]]]  # column -> (first row, last row), by first row


def _merged_down(archive: zipfile.ZipFile, sheet: Any) -> Merges:
    """The merges that span rows, by their first column: a clerk merges Lokasi or Tahun over
    the rows of several items. Merges within one row (a group heading across the table, a
    header over three columns) are left out. The read-only workbook does not say which cells are
    merged, so the sheet's own XML is searched for its <mergeCell ref="E2:E4"> elements. Kept
    as ranges: a merge may claim a million rows."""
    part = _part(sheet)
    if not part:
        return {}
    found: Merges = {}
    with archive.open(part) as xml:
        for ref in _tags(xml, _MERGE):
            first_col, first_row, _, last_row = range_boundaries(ref)
            if first_col and first_row and last_row and last_row > first_row:
                found.setdefault(first_col, []).append((first_row, last_row))
    for spans in found.values():
        spans.sort()
    return found


def _hidden_rows(archive: zipfile.ZipFile, sheet: Any) -> frozenset[int]:
    """The rows hidden in Excel (by hand or by a filter): clerks hide the items no longer in use
    rather than delete them. The read-only workbook does not say, so the XML is searched for
    <row r="7" hidden="1">."""
    part = _part(sheet)
    if not part:
        return frozenset()
    with archive.open(part) as xml:
        return frozenset(int(number) for number in _tags(xml, _HIDDEN_ROW))


def _top(spans: list[tuple[int, int]], row: int) -> int | None:
    """The first row of the merge that covers `row` below its first, if any."""
    at = bisect.bisect_left(spans, (row, 0)) - 1  # the last merge starting above `row`
    return spans[at][0] if at >= 0 and spans[at][1] >= row else None


def _sheet_rows(sheet: Any, limit: int, max_rows: int, merges: Merges) -> Iterator[list[Cell]]:
    """Rows of cells; empty rows as [] and none after the last filled one (a sheet formatted
    down to row 11,000 has as many rows as it has filled). Only filled rows count to `limit`.
    In a row with anything of its own, a cell under a merge spanning rows has the merge's
    value (`merged`): an empty row under a merge stays empty."""
    starts = {(first, column) for column, spans in merges.items() for first, _ in spans}
    tops: dict[Spot, tuple[Any, bool]] = {}  # the value of each merge's first cell, as it passes
    filled, blank = 0, 0
    for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
        own = [(c.value, getattr(c, "data_type", None) == "f") for c in cells]
        for index, (value, formula) in enumerate(own, start=1):
            if (number, index) in starts and value is not None:
                tops[(number, index)] = (value, formula)
        if all(value is None for value, _ in own):
            blank += 1
            continue
        filled += 1
        if filled > limit:
            raise _too_many(max_rows)
        yield from ([] for _ in range(blank))
        blank = 0
        row = []
        for index, (value, formula) in enumerate(own, start=1):
            top = _top(merges[index], number) if value is None and index in merges else None
            if top is not None and (top, index) in tops:
                row.append(_cell(*tops[(top, index)], number, index, merged=True))
            else:
                row.append(_cell(value, formula, number, index))
        yield row


def _xlsx_sheets(path: Path, limit: int, max_rows: int) -> list[Sheet]:
    """Every visible sheet; a workbook openpyxl cannot read (broken XML inside the zip, a part
    missing) is refused in words a clerk can act on, its cause chained for the log."""
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except RegisterRejected:
        raise
    except _UNREADABLE as exc:
        raise RegisterRejected(_XLSX_UNREADABLE) from exc
    try:
        with zipfile.ZipFile(path) as archive:
            return [
                Sheet(
                    ws.title,
                    list(_sheet_rows(ws, limit, max_rows, _merged_down(archive, ws))),
                    _hidden_rows(archive, ws),
                )
                for ws in workbook.worksheets
                if ws.sheet_state == "visible"
            ]
    except RegisterRejected:
        raise
    except _UNREADABLE as exc:  # the read-only sheets parse their XML only as they are read
        raise RegisterRejected(_XLSX_UNREADABLE) from exc
    finally:
        workbook.close()


def _is_formula(text: str) -> bool:
    """A CSV cell that a spreadsheet would run as a formula when the file is opened."""
    return text.lstrip().startswith("=")


def _csv_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252: what Excel on Windows saves as "CSV
    (Comma delimited)". A UTF-8 file with a stray byte is refused naming its line (read as
    Windows-1252 its other letters would be garbled: 'Café' as 'CafÃ©'); bytes that are
    neither are refused."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        mostly = raw.decode("utf-8", "replace")
        if any(ord(ch) > 127 and ch != "\ufffd" for ch in mostly):
            line = raw[: exc.start].count(b"\n") + 1
            raise RegisterRejected(
                f"file CSV berenkode UTF-8 tetapi baris {line} memuat karakter yang bukan UTF-8;"
                " di Excel simpan ulang dengan 'Save As' > 'CSV UTF-8 (Comma delimited)', atau"
                " unggah file .xlsx"
            ) from exc
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise RegisterRejected(
            "file CSV bukan UTF-8 maupun Windows-1252; di Excel simpan dengan"
            " 'Save As' > 'CSV UTF-8 (Comma delimited)', atau unggah file .xlsx"
        ) from exc


def _dialects(text: str) -> list[type[csv.Dialect] | csv.Dialect]:
    """The sniffed dialect first, then comma, semicolon and tab: notes with commas above a
    table separated by semicolons fool the sniffer, so the file is read each way and the
    header row decides (`headers.choose_header` takes the reading that recognises most)."""
    try:
        sniffed: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        sniffed = csv.excel
    found = [sniffed]
    for delimiter in ",;\t":
        if delimiter != sniffed.delimiter:
            found.append(type(f"Split{ord(delimiter)}", (csv.excel,), {"delimiter": delimiter}))
    return found


def _csv_rows(
    text: str, dialect: type[csv.Dialect] | csv.Dialect, limit: int, max_rows: int
) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), 1):
            if number > limit:
                raise _too_many(max_rows)
            rows.append(
                [_cell(v, _is_formula(v), number, i) for i, v in enumerate(values[:MAX_COLUMNS], 1)]
            )
    except csv.Error as exc:
        raise RegisterRejected(
            "file CSV tidak dapat dibaca (tanda kutip atau pemisah kolomnya rusak); di Excel"
            " simpan ulang dengan 'Save As' > 'CSV UTF-8 (Comma delimited)', atau unggah file .xlsx"
        ) from exc
    return rows


def _csv_sheets(path: Path, limit: int, max_rows: int) -> list[Sheet]:
    text = _csv_text(path.read_bytes())
    if "\x00" in text:
        raise RegisterRejected("file CSV berisi data biner")
    sniffed, *others = _dialects(text)
    sheets = [Sheet(path.stem, _csv_rows(text, sniffed, limit, max_rows))]
    for dialect in others:
        with contextlib.suppress(RegisterRejected):  # a reading the file does not fit
            sheets.append(Sheet(path.stem, _csv_rows(text, dialect, limit, max_rows)))
    return sheets


def read_sheets(path: Path, max_bytes: int, max_rows: int) -> list[Sheet]:
    """Every visible sheet's rows of cells; at most `max_rows` data rows below the headers
    (checked again once the header row is known)."""
    suffix = path.suffix.lower()
    _check_size(path, max_bytes)
    limit = max_rows + HEAD_ROWS + 200  # room for title, blank, total and signature rows
    if suffix == ".xlsx":
        _check_zip(path, max_bytes)
        return _xlsx_sheets(path, limit, max_rows)
    if suffix == ".csv":
        return _csv_sheets(path, limit, max_rows)
    raise RegisterRejected(
        f"jenis file {suffix or '(tanpa ekstensi)'} tidak didukung; pakai .xlsx atau .csv"
    )
