"""How the scorer's workbooks write a cell: numbers as numbers (an index or a weight with two
decimals shown, a whole level as an integer), times as Excel dates in WIB as the pages show them,
and text a spreadsheet would evaluate written inert."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl.worksheet.worksheet import Worksheet

from spbe_common.numbers import rounded

WIB = ZoneInfo("Asia/Jakarta")  # the pages' time zone (Kabupaten Serang)
TIME_FORMAT = "dd-mm-yyyy hh:mm"
TWO_DECIMALS = "0.00"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Figure:
    """A number shown with a number format (an index, a weight)."""

    value: float
    number_format: str = TWO_DECIMALS


def inert(value: Any) -> Any:
    """A text cell that no spreadsheet evaluates; numbers and dates unchanged. Text that starts
    with =, +, -, @, a tab or a carriage return gets a leading apostrophe (OWASP's advice
    against CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def index_figure(value: Fraction | str | None) -> Figure | None:
    """An index as it is published: rounded half up to 2 decimals (spbe_common.numbers)."""
    return None if value is None else Figure(float(rounded(value)))


def weight_figure(value: Fraction | str) -> Figure:
    return Figure(float(Fraction(value)))


def level_value(value: Fraction | str | None) -> int | float | None:
    """A level: a whole one as an integer, a fractional one (1.26) as it is."""
    if value is None:
        return None
    exact = Fraction(value)
    return int(exact) if exact.denominator == 1 else float(exact)


def indicator_number(indicator: str) -> int | str:
    """The "No." of an indicator: 29 as a number, "35.1" or "I15" as written."""
    return int(indicator) if indicator.isdigit() else indicator


def local_time(value: datetime) -> datetime:
    """A stored (UTC) time as WIB wall-clock time: Excel dates carry no time zone."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(WIB).replace(tzinfo=None)


def _written(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, Figure):
        return value.value, value.number_format
    if isinstance(value, datetime):
        return local_time(value), TIME_FORMAT
    return inert(value), None


def append(sheet: Worksheet, values: Sequence[Any]) -> None:
    """One row; each cell with its number format."""
    written = [_written(v) for v in values]
    sheet.append([value for value, _ in written])
    for cell, (_, number_format) in zip(sheet[sheet.max_row], written, strict=False):
        if number_format:
            cell.number_format = number_format
