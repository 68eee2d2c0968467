"""Filtering, sorting and pagination of list endpoints, read with SQLAlchemy Core.

List pages are the hot path: rows go from the driver to orjson without ORM objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import HTTPException, Query
from fastapi.responses import Response
from sqlalchemy import Connection, Table, func, select
from sqlalchemy.sql import ColumnElement

MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    offset: int
    sort: str | None


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page")] = 50,
    offset: Annotated[int, Query(ge=0, description="Rows to skip")] = 0,
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
        raise HTTPException(422, f"cannot sort by {name!r}; choose one of: {', '.join(allowed)}")
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
    rows = [dict(row) for row in conn.execute(query).mappings()]
    count = conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
    return rows, count


def json_response(payload: Any, status_code: int = 200) -> Response:
    """orjson straight to bytes; the route's response_model still documents the shape."""
    return Response(orjson.dumps(payload), status_code=status_code, media_type="application/json")


def like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
