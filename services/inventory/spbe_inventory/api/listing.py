"""Filtering, sorting and pagination of list endpoints, read with SQLAlchemy Core.

List pages are the hot path: rows go from the driver to orjson without ORM objects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from functools import lru_cache
from typing import Annotated, Any

import orjson
from fastapi import Query
from fastapi.responses import Response
from sqlalchemy import JSON, Boolean, Connection, Table, func, select
from sqlalchemy.sql import ColumnElement

from spbe_common.api import Offset, Unprocessable
from spbe_common.db import UTCDateTime

MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    offset: int
    sort: str | None


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page")] = 50,
    offset: Offset = 0,
    sort: Annotated[
        str | None, Query(description="Field to sort by; prefix '-' to descend")
    ] = None,
) -> Page:
    return Page(limit, offset, sort)


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
) -> tuple[list[dict[str, Any]], int]:
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


def json_response(payload: Any, status_code: int = 200) -> Response:
    """orjson straight to bytes; the route's response_model still documents the shape."""
    return Response(orjson.dumps(payload), status_code=status_code, media_type="application/json")


def like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
