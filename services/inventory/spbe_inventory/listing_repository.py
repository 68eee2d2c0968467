"""Filtering, sorting and pagination of list pages, read with SQLAlchemy Core.

The domain repositories build every list on `list_page`, after adding the principal's OPD scope
to the filters. List pages are the hot path: rows go from the driver to orjson without ORM
objects (no per-value result processing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import JSON, Boolean, Connection, Table, func, or_, select
from sqlalchemy.sql import ColumnElement

from spbe_common.api import Unprocessable
from spbe_common.db import UTCDateTime

MAX_LIMIT = 500
Rows = list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    offset: int
    sort: str | None


def equal_to(table: Table, filters: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    """`column == value` for each filter given (None: not filtered)."""
    return [table.c[name] == value for name, value in filters.items() if value is not None]


def like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(columns: Sequence[Any], text: str | None) -> list[ColumnElement[bool]]:
    """Case-insensitive substring search over `columns` (none when no text is given)."""
    if not text:
        return []
    pattern = like(text.lower())
    return [or_(*(column.ilike(pattern, escape="\\") for column in columns))]


def _order(table: Table, sort: str | None, allowed: Sequence[str]) -> list[Any]:
    key = list(table.primary_key.columns)
    if sort is None:
        return key
    name = sort.removeprefix("-")
    if name not in allowed:
        raise Unprocessable(
            f"cannot sort by {name!r}; choose one of: {', '.join(allowed)}", ("query", "sort")
        )
    column = table.c[name]
    return [column.desc() if sort.startswith("-") else column.asc(), *key]


def list_page(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    where: Sequence[ColumnElement[bool]],
    page: Page,
    sortable: Sequence[str],
) -> tuple[Rows, int]:
    """One page of `table` and the count of all rows matching `where` (scope included)."""
    query = (
        select(*(table.c[name] for name in columns))
        .where(*where)
        .order_by(*_order(table, page.sort, sortable))
        .limit(page.limit)
        .offset(page.offset)
    )
    raw = conn.execute(query).cursor.fetchall()  # driver rows: no per-value result processing
    converters = _converters(table, tuple(columns), conn.dialect.name)
    rows = [
        {
            name: (conv(v) if conv and v is not None else v)
            for (name, conv), v in zip(converters, row, strict=True)
        }
        for row in raw
    ]
    count = conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
    return rows, count


Converter = Callable[[Any], Any] | None


def _sqlite_time(text: str) -> str:
    """Naive UTC text as UTCDateTime stores it, written the way orjson writes an aware datetime."""
    return text.removesuffix(".000000").replace(" ", "T") + "+00:00"


@lru_cache(maxsize=256)
def _converters(
    table: Table, columns: tuple[str, ...], dialect: str
) -> list[tuple[str, Converter]]:
    """What each raw driver value needs to become the JSON the typed path would give."""
    out: list[tuple[str, Converter]] = []
    for name in columns:
        column_type = table.c[name].type
        conv: Converter = None
        if isinstance(column_type, UTCDateTime):
            conv = _sqlite_time if dialect == "sqlite" else (lambda v: v.replace(tzinfo=UTC))
        elif isinstance(column_type, JSON) and dialect == "sqlite":
            conv = orjson.Fragment  # already JSON text: embedded as it is
        elif isinstance(column_type, Boolean) and dialect == "sqlite":
            conv = bool
        out.append((name, conv))
    return out
