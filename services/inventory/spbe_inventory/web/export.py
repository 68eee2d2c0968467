"""CSV and XLSX files of a table as a page shows it: the same headers and cells, made safe for
spreadsheets (a cell that Excel or LibreOffice would run as a formula stays text)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Value = str | int | float | None
# OWASP "CSV injection": a cell starting with one of these may be read as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_formula_like(value: Value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def neutralise(value: Value) -> Value:
    """Text that a spreadsheet would run gets a leading quote; numbers stay numbers."""
    return "'" + value if isinstance(value, str) and is_formula_like(value) else value


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Value]]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel reads the Indonesian text right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    writer.writerows([("" if v is None else neutralise(v)) for v in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Value]]) -> bytes:
    """One sheet, written streaming (write-only); every text cell is a string, never a formula."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(title))
    bold = Font(bold=True)
    sheet.append([_cell(sheet, h, bold) for h in headers])
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(sheet: WriteOnlyWorksheet, value: Value, font: Font | None = None) -> WriteOnlyCell:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XLSX cannot hold
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl makes "=..." a formula; text stays text
    if font is not None:
        cell.font = font
    return cell


def sheet_title(title: str) -> str:
    """Excel refuses []:*?/\\ in a sheet name and more than 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Data"


def filename(stem: str, extension: str, day: date) -> str:
    """e.g. aset-20250131.xlsx; only letters, digits, '-' and '_' survive from the stem."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:60] or "ekspor"
    return f"{safe}-{day:%Y%m%d}.{extension}"
