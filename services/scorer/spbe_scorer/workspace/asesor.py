"""The external assessors' (asesor) results of a period: one level at a time, or a workbook.

A workbook has a header row with "Indikator" (the indicator id) and "Nilai" (the level; "1,5"
is read as 1.5), optionally "Catatan"; a row whose Indikator is "Indeks" gives the published
index. Every row is checked and nothing is saved when any row is wrong: each error names its row
and column. Levels are kept exact (Fraction text), as self-assessed levels are.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import Connection

from spbe_scorer.db import utcnow
from spbe_scorer.frameworks import Framework
from spbe_scorer.numbers import to_fraction

from . import history
from . import repository as repo
from .enums import WorksheetAction
from .service import period_index

INDICATOR, LEVEL, NOTE = "Indikator", "Nilai", "Catatan"
INDEX_ROW = "indeks"
MAX_NOTE = 2000
MAX_ROWS = 1000  # a framework has tens of indicators; a longer sheet is not an asesor result
HEADER_SEARCH = 20  # rows searched for the header


class WorkbookError(ValueError):
    """The file is no workbook this import reads (no header row, or not XLSX at all)."""


@dataclass(frozen=True)
class Row:
    row: int
    indicator: str
    level: Fraction
    note: str | None

    def public(self) -> dict[str, Any]:
        return {
            "row": self.row, "indicator": self.indicator, "level": float(self.level),
            "level_exact": str(self.level), "note": self.note,
        }  # fmt: skip


@dataclass
class Checked:
    """What a workbook holds, and what is wrong with it (`errors`: row, column, msg)."""

    rows: list[Row] = field(default_factory=list)
    index: Fraction | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)

    def refuse(self, row: int, column: str, message: str) -> None:
        self.errors.append(
            {"row": row, "column": column, "msg": f"row {row}, column {column}: {message}"}
        )

    def public(self) -> dict[str, Any]:
        return {
            "rows": [r.public() for r in self.rows], "errors": self.errors,
            "index": None if self.index is None else float(self.index),
            "index_exact": None if self.index is None else str(self.index),
        }  # fmt: skip


# --- levels --------------------------------------------------------------------------------------
def parse_level(framework: Framework, value: object) -> Fraction:
    """A level on the framework's scale (whole numbers only where the framework says so)."""
    level = to_fraction(value)
    low, high = framework.levels.min, framework.levels.max
    if not low <= level <= high:
        raise ValueError(f"{float(level):g} is outside the levels {low}-{high} of {framework.id}")
    if framework.levels.integer and level.denominator != 1:
        raise ValueError(f"{framework.id} levels are whole numbers; got {float(level):g}")
    return level


def parse_index(framework: Framework, value: object) -> Fraction:
    """A published index: on the levels' range, fractional in every framework."""
    index = to_fraction(value)
    low, high = framework.levels.min, framework.levels.max
    if not low <= index <= high:
        raise ValueError(f"index {float(index):g} is outside {low}-{high}")
    return index


def clean_note(value: object) -> str | None:
    note = None if value is None else " ".join(str(value).split())
    if note and len(note) > MAX_NOTE:
        raise ValueError(f"longer than {MAX_NOTE} characters")
    return note or None


# --- reading a workbook -------------------------------------------------------------------------
def read(content: bytes, framework: Framework) -> Checked:
    """Every row of the first sheet with the header row, checked (raises WorkbookError when no
    sheet has one or the file is not a workbook)."""
    try:
        book = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file it cannot read
        raise WorkbookError(f"not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(max_row=MAX_ROWS + HEADER_SEARCH + 1, values_only=True)
            found = _after_header(enumerate(rows, start=1))
            if found is not None:
                return check(framework, *found)
    finally:
        book.close()
    raise WorkbookError(f'no sheet has a header row with "{INDICATOR}" and "{LEVEL}"')


Numbered = Iterator[tuple[int, Sequence[Any]]]


def _after_header(rows: Numbered) -> tuple[dict[str, int], Numbered] | None:
    for number, values in rows:
        names = {str(v).strip().lower(): i for i, v in enumerate(values) if v is not None}
        if INDICATOR.lower() in names and LEVEL.lower() in names:
            columns = {c: names[c.lower()] for c in (INDICATOR, LEVEL, NOTE) if c.lower() in names}
            return columns, rows
        if number >= HEADER_SEARCH:
            return None
    return None


def _cell(values: Sequence[Any], columns: dict[str, int], name: str) -> Any:
    index = columns.get(name)
    if index is None or index >= len(values):
        return None
    value = values[index]
    return value.strip() or None if isinstance(value, str) else value


def _indicator_id(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a spreadsheet stores 16 as 16.0
    return str(value).strip()


def check(framework: Framework, columns: dict[str, int], rows: Numbered) -> Checked:
    result = Checked()
    seen: set[str] = set()
    for number, values in rows:
        if number > MAX_ROWS + HEADER_SEARCH:
            result.refuse(number, INDICATOR, f"more than {MAX_ROWS} rows")
            break
        raw_id, raw_level = _cell(values, columns, INDICATOR), _cell(values, columns, LEVEL)
        if raw_id is None and raw_level is None:
            continue
        _check_row(framework, result, seen, number, raw_id, raw_level, _cell(values, columns, NOTE))
    return result


def _check_row(
    framework: Framework, result: Checked, seen: set[str], number: int,
    raw_id: Any, raw_level: Any, raw_note: Any,
) -> None:  # fmt: skip
    indicator = "" if raw_id is None else _indicator_id(raw_id)
    if indicator.lower() == INDEX_ROW:
        _check_index(framework, result, number, raw_level)
        return
    if not indicator:
        result.refuse(number, INDICATOR, "no indicator id")
    elif indicator not in framework.indicator_by_id:
        result.refuse(number, INDICATOR, f"{indicator[:40]!r} is no indicator of {framework.id}")
    elif indicator in seen:
        result.refuse(number, INDICATOR, f"indicator {indicator} appears a second time")
    seen.add(indicator)
    level = _level_or_refuse(framework, result, number, raw_level)
    note = _note_or_refuse(result, number, raw_note)
    if level is not None and indicator in framework.indicator_by_id:
        result.rows.append(Row(number, indicator, level, note))


def _level_or_refuse(
    framework: Framework, result: Checked, number: int, raw: Any
) -> Fraction | None:
    if raw is None:
        result.refuse(number, LEVEL, "no level")
        return None
    try:
        return parse_level(framework, raw)
    except ValueError as exc:
        result.refuse(number, LEVEL, str(exc))
        return None


def _note_or_refuse(result: Checked, number: int, raw: Any) -> str | None:
    try:
        return clean_note(raw)
    except ValueError as exc:
        result.refuse(number, NOTE, str(exc))
        return None


def _check_index(framework: Framework, result: Checked, number: int, raw: Any) -> None:
    if result.index is not None:
        result.refuse(number, INDICATOR, "a second Indeks row")
        return
    if raw is None:
        result.refuse(number, LEVEL, "no index")
        return
    try:
        result.index = parse_index(framework, raw)
    except ValueError as exc:
        result.refuse(number, LEVEL, str(exc))


# --- saving ----------------------------------------------------------------------------------
def set_level(
    conn: Connection, worksheet: dict[str, Any], level: Fraction | None, note: str | None,
    account: str,
) -> dict[str, Any]:  # fmt: skip
    """One indicator's asesor level (None clears it), with a history row; the new values."""
    values = {"asesor_level_exact": None if level is None else str(level), "asesor_note": note}
    repo.update_worksheet(conn, worksheet["id"], values)
    before = {k: worksheet[k] for k in values}
    history.record(conn, worksheet["id"], WorksheetAction.ASESOR, account,
                   {"before": before, "after": values})  # fmt: skip
    return {**worksheet, **values}


def save(conn: Connection, period: dict[str, Any], checked: Checked, account: str) -> None:
    """A checked workbook without errors: its levels and, when given, the published index."""
    worksheets = {w["indicator"]: w for w in repo.worksheets(conn, period["id"])}
    for row in checked.rows:
        set_level(conn, worksheets[row.indicator], row.level, row.note, account)
    if checked.index is not None:
        repo.update_period(conn, period["id"], {
            "asesor_index_exact": str(checked.index), "asesor_index": float(checked.index),
            "updated_at": utcnow(),
        })  # fmt: skip


def period_asesor_index(
    period: dict[str, Any], framework: Framework, worksheets: Sequence[dict[str, Any]]
) -> Fraction | None:
    """The published index when entered, else the index over the asesor levels when every
    indicator has one, else None."""
    if period.get("asesor_index_exact"):
        return Fraction(period["asesor_index_exact"])
    return period_index(framework, worksheets, "asesor_level_exact")
