"""Read indicator levels from a JSON object or a two-column CSV/XLSX sheet (indicator, value)."""

import csv
import io
import json
import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from spbe_scorer.numbers import to_fraction

Row = tuple[str, object]
INDICATOR_ID = re.compile(r"^I?\d+(\.\d+)?$", re.IGNORECASE)


class InputFileError(ValueError):
    """The file cannot be read as levels; the message names the file."""


def read_levels_file(path: Path) -> list[Row]:
    """(indicator id, raw value) pairs in file order, by the file's suffix."""
    readers = {".json": _json_rows, ".csv": _csv_rows, ".xlsx": _xlsx_rows, ".xlsm": _xlsx_rows}
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise InputFileError(f"{path}: unsupported file type; use .json, .csv or .xlsx")
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    return reader(path)


def _json_rows(path: Path) -> list[Row]:
    try:
        data = json.loads(
            path.read_text(encoding="utf-8-sig"),
            parse_float=Decimal,  # keep 1.26 exactly as written
            object_pairs_hook=list,  # keep repeated keys so they can be reported
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(data, list) or not all(isinstance(p, tuple) for p in data):
        raise InputFileError(f"{path}: expected a JSON object of indicator id -> level")
    return [(normalise_key(key), value) for key, value in data]


def _csv_rows(path: Path) -> list[Row]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: not UTF-8 text: {exc}") from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel  # one column or too little text to tell
    return rows_from_cells(path, list(csv.reader(io.StringIO(text), dialect)))


def _xlsx_rows(path: Path) -> list[Row]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputFileError(f"{path}: not a readable XLSX workbook: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        cells = [row[:2] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return rows_from_cells(path, cells)


def normalise_key(key: object) -> str:
    """'i5 ' -> 'I5'; a spreadsheet's number 16.0 -> '16' (35.1 stays '35.1')."""
    if isinstance(key, float) and key.is_integer():
        key = int(key)
    return str(key).strip().upper()


def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _is_number(cell: object) -> bool:
    try:
        to_fraction(cell)
    except ValueError:
        return False
    return True


def is_header(cells: Sequence[object]) -> bool:
    """A first row like 'indicator, value': the key is not an id and the value not a number."""
    key, value = [*cells, None, None][:2]
    return not INDICATOR_ID.match(normalise_key(key)) and not _is_number(value)


def rows_from_cells(path: Path, cells: Sequence[Sequence[object]]) -> list[Row]:
    """Two-column rows -> pairs; blank rows are skipped, a blank value is None (not given)."""
    rows = [[*row, None, None][:2] for row in cells if not all(map(_blank, row[:2]))]
    if rows and is_header(rows[0]):
        rows = rows[1:]
    if not rows:
        raise InputFileError(f"{path}: no indicator rows found")
    keyless = [n for n, (key, _) in enumerate(rows, 1) if _blank(key)]
    if keyless:
        raise InputFileError(f"{path}: data rows {keyless} have a value but no indicator id")
    return [(normalise_key(key), None if _blank(value) else value) for key, value in rows]
