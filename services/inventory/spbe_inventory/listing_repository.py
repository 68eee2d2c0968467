"""Filtering, sorting and pagination of list pages, read with SQLAlchemy Core.

The domain repositories build every list on `list_page`, after adding the principal's OPD scope
to the filters. List pages are the hot path: rows go from the driver to orjson without ORM
objects (no per-value result processing).

The asset list of the API (`asset_page`) is the hottest: a `Listing` builds and compiles the
SQL of each shape of its query once (scope size, filters given, kind of search, sort, cursor)
and then runs the text on the driver with only the values changing; on SQLite the rows come
back as JSON text made by SQLite, and both the count and each row's JSON are remembered until
anything is committed (a page then reads only its ids, from an index, and makes the rows it has
not made before).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from enum import Enum
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Integer,
    String,
    Table,
    TypeDecorator,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.sql import ColumnElement

from spbe_common.api import Unprocessable
from spbe_common.auth import Principal
from spbe_common.db import UTCDateTime
from spbe_inventory.assets.models import Asset, AssetPublic
from spbe_inventory.db import commit_watch

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
    values: Mapping[str, Any] | None = None,
) -> tuple[Rows, int]:
    """One page of `table` and the count of all rows matching `where` (scope included);
    `values` binds the named parameters of `where` (as `Condition`s name them)."""
    query = (
        select(*(table.c[name] for name in columns))
        .where(*where)
        .order_by(*_order(table, page.sort, sortable))
        .limit(page.limit)
        .offset(page.offset)
    )
    bound = dict(values or {})
    raw = conn.execute(query, bound).cursor.fetchall()  # driver rows: no result processing
    rows = _converted(table, tuple(columns), conn.dialect.name, raw)
    count = select(func.count()).select_from(table).where(*where)
    return rows, conn.execute(count, bound).scalar_one()


def _converted(
    table: Table, columns: tuple[str, ...], dialect: str, raw: Sequence[Sequence[Any]]
) -> Rows:
    """Driver rows as the JSON-ready dicts the typed path would give."""
    converters = _converters(table, columns, dialect)
    return [
        {
            name: (conv(v) if conv and v is not None else v)
            for (name, conv), v in zip(converters, row, strict=True)
        }
        for row in raw
    ]


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


# --- compiled list statements ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Condition:
    """One part of a WHERE clause. Conditions of one `shape` have one SQL text: `build` makes
    it with bind parameters named as the keys of `values` (names unique within a query)."""

    shape: Hashable
    build: Callable[[], ColumnElement[bool]]
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    names: tuple[str, ...] | None  # the order of positional parameters; None: named ones

    def params(self, values: Mapping[str, Any]) -> Any:
        return values if self.names is None else tuple(values[n] for n in self.names)


@dataclass(frozen=True, slots=True)
class PageJson:
    """One page as JSON text: `data` is the array of its rows."""

    data: bytes
    count: int
    last_id: int | None  # the id of its last row: the cursor of the next page (id order)
    rows: int


ID_ORDERS = (None, "id", "-id")  # the orders a cursor (keyset) page can follow


class Listing:
    """The list of one table with a fixed set of columns. The SQL text of each shape of its
    page and count statements is compiled once and then run on the driver, so a request pays
    neither statement building nor SQLAlchemy's execution for it."""

    def __init__(self, table: Table, columns: Sequence[str], sortable: Sequence[str]) -> None:
        self.table = table
        self.columns = tuple(columns)
        self.sortable = tuple(sortable)
        self.memo_key = (table.name, self.columns)  # the rows' JSON remembered (SQLite)
        self._statements: dict[Hashable, Statement] = {}

    def page(
        self,
        conn: Connection,
        conditions: Sequence[Condition],
        page: Page,
        cursor: int | None = None,
    ) -> PageJson:
        """A page of the rows matching `conditions` and the count of all of them, read in one
        snapshot. `cursor` (the id of the last row of the previous page) starts after it."""
        if cursor is not None and page.sort not in ID_ORDERS:
            raise Unprocessable(
                "a cursor follows the id order: sort by id or -id, or leave sort out",
                ("query", "cursor"),
            )
        shapes = tuple(c.shape for c in conditions)
        values: dict[str, Any] = {"page_limit": page.limit, "page_offset": page.offset}
        for condition in conditions:
            values.update(condition.values)
        if cursor is not None:
            values["page_after"] = cursor
        sqlite = conn.dialect.name == "sqlite"
        kind = "json" if sqlite and self._json_object(conn) else "rows"
        statement = self._statement(conn, kind, page.sort, shapes, conditions, cursor)
        driver = conn.connection.driver_connection
        began = sqlite and not driver.in_transaction  # type: ignore[union-attr]
        # Remembered results only in a snapshot that starts here, between the two marks: in a
        # transaction the caller began, an earlier read may have fixed an older snapshot.
        watch = commit_watch(conn.engine) if began else None
        if began:
            driver.execute("BEGIN")  # type: ignore[union-attr]  # page and count: one snapshot
        try:
            before = watch.mark() if watch is not None else 0
            memo = watch.rows(self.memo_key, before) if kind == "json" and watch else None
            if memo:  # rows made since the last commit: find the ids, make only the others
                ids = self._statement(conn, "ids", page.sort, shapes, conditions, cursor)
                found = _fetch(driver, ids, values)
                after = watch.mark()  # type: ignore[union-attr]
                found = self._json_rows(conn, driver, found, memo if before == after else {})
            else:
                found = _fetch(driver, statement, values)
                after = watch.mark() if watch is not None else 0
                if memo is not None and before == after:
                    memo.update((i, text) for text, i in found)
            key = (self.table.name, shapes, tuple(sorted(condition_values(conditions))))
            count = watch.recall(key, after) if watch is not None else None
            if count is None:
                counting = self._statement(conn, "count", None, shapes, conditions, None)
                count = int(_fetch(driver, counting, values)[0][0])
                if watch is not None and before == after:
                    watch.remember(key, before, count)
        finally:
            if began:
                driver.execute("ROLLBACK")  # type: ignore[union-attr]
        if kind == "json":
            data = ("[" + ",".join(row[0] for row in found) + "]").encode()
            last = int(found[-1][1]) if found else None
        else:
            rows = _converted(self.table, self.columns, conn.dialect.name, found)
            data = orjson.dumps(rows)
            last = int(rows[-1]["id"]) if rows else None
        return PageJson(data, count, last, len(found))

    def _json_rows(
        self, conn: Connection, driver: Any, ids: Sequence[Sequence[Any]], memo: dict[int, str]
    ) -> list[tuple[str, int]]:
        """The JSON rows of the page's `ids` (in their order), in the snapshot that found them:
        those in `memo` as they were made, the others read by id and added to it."""
        wanted = [row[0] for row in ids]
        missing = [i for i in wanted if i not in memo]
        if missing:
            by_id = self._statement(conn, "by_id", None, (), (), None)
            listed = {"page_ids": orjson.dumps(missing).decode()}
            memo.update((i, text) for text, i in _fetch(driver, by_id, listed))
        return [(memo[i], i) for i in wanted]

    def _statement(
        self,
        conn: Connection,
        kind: str,
        sort: str | None,
        shapes: tuple[Hashable, ...],
        conditions: Sequence[Condition],
        cursor: int | None,
    ) -> Statement:
        key = (kind, conn.dialect.name, sort, shapes, cursor is None)
        found = self._statements.get(key)
        if found is None:
            compiled = self._query(conn, kind, sort, conditions, cursor).compile(
                dialect=conn.dialect
            )
            names = tuple(compiled.positiontup or ()) if compiled.positional else None
            found = self._statements[key] = Statement(compiled.string, names)
        return found

    def _query(
        self,
        conn: Connection,
        kind: str,
        sort: str | None,
        conditions: Sequence[Condition],
        cursor: int | None,
    ) -> Any:
        table = self.table
        if kind == "by_id":  # the JSON rows of the ids in a JSON array
            listed: Any = select(literal_column("value")).select_from(
                func.json_each(bindparam("page_ids", type_=String))
            )
            json_row: Any = literal_column(self._json_object(conn) or "")
            return select(json_row, table.c.id).where(table.c.id.in_(listed))
        where = [condition.build() for condition in conditions]
        if kind == "count":
            return select(func.count()).select_from(table).where(*where)
        if cursor is not None:
            after = bindparam("page_after", type_=Integer)
            where.append(table.c.id < after if sort == "-id" else table.c.id > after)
        if kind == "ids":
            columns: list[Any] = [table.c.id]
        elif kind == "json":
            columns = [literal_column(self._json_object(conn) or ""), table.c.id]
        else:
            columns = [table.c[name] for name in self.columns]
        return (
            select(*columns)
            .select_from(table)
            .where(*where)
            .order_by(*_order(table, sort, self.sortable))
            .limit(bindparam("page_limit", type_=Integer))
            .offset(bindparam("page_offset", type_=Integer))
        )

    def _json_object(self, conn: Connection) -> str | None:
        """SQLite's `json_object(...)` of a row, written as orjson writes the typed values
        (None when a column's type has no exact SQL counterpart here)."""
        return _sqlite_json_object(self.table, self.columns, conn.dialect.identifier_preparer)


def condition_values(conditions: Sequence[Condition]) -> list[tuple[str, Any]]:
    return [item for condition in conditions for item in condition.values.items()]


def _fetch(driver: Any, statement: Statement, values: Mapping[str, Any]) -> list[Any]:
    cursor = driver.cursor()
    try:
        cursor.execute(statement.sql, statement.params(values))
        return list(cursor.fetchall())
    finally:
        cursor.close()


@lru_cache(maxsize=64)
def _sqlite_json_object(table: Table, columns: tuple[str, ...], preparer: Any) -> str | None:
    parts = []
    for name in columns:
        column_type = table.c[name].type
        q = preparer.quote(name)
        if isinstance(column_type, UTCDateTime):  # as _sqlite_time does it
            expr = (
                f"replace(CASE WHEN substr({q}, -7) = '.000000' THEN substr({q}, 1,"
                f" length({q}) - 7) ELSE {q} END, ' ', 'T') || '+00:00'"
            )
        elif isinstance(column_type, JSON):
            expr = f"json({q})"
        elif isinstance(column_type, Boolean):
            expr = (
                f"CASE WHEN {q} IS NULL THEN NULL WHEN {q} THEN json('true') ELSE json('false') END"
            )
        elif isinstance(_impl(column_type), (String, Integer)):
            expr = q
        else:
            return None
        parts.append(f"'{name}', {expr}")
    return "json_object(" + ", ".join(parts) + ")"


def _impl(column_type: Any) -> Any:
    return column_type.impl_instance if isinstance(column_type, TypeDecorator) else column_type


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


# --- the asset list ----------------------------------------------------------------------------

ASSET: Table = Asset.__table__
ASSET_SORTABLE = (
    "id",
    "name",
    "hostname",
    "address",
    "opd_code",
    "kind",
    "lifecycle",
    "first_seen",
    "last_seen",
)
ASSETS = Listing(ASSET, tuple(AssetPublic.model_fields), ASSET_SORTABLE)
IPV4_PREFIX = re.compile(r"\d{1,3}(\.\d{0,3}){1,3}")  # 10.1 / 10.1.2. / 10.1.2.3
IPV4_ADDRESS = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
MAC_DASHED = re.compile(r"[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){5}")
ASSET_SEARCHED = ("name", "hostname", "address", "mac")


def asset_page(
    conn: Connection,
    principal: Principal,
    page: Page,
    filters: Mapping[str, Any],
    q: str | None = None,
    cursor: int | None = None,
) -> PageJson:
    """Assets of the principal's OPD; `filters` are column == value, `q` searches names."""
    return ASSETS.page(conn, asset_conditions(principal, filters, q), page, cursor)


def asset_conditions(
    principal: Principal, filters: Mapping[str, Any], q: str | None
) -> list[Condition]:
    out = []
    if principal.opd_codes is not None:
        out.append(scope_condition(ASSET, principal.opd_codes))
    out += [
        equal_condition(ASSET, name, value) for name, value in filters.items() if value is not None
    ]
    if q and IPV4_ADDRESS.fullmatch(q):  # a whole address is that host, not 10.1.2.30 too
        out.append(equal_condition(ASSET, "address", q))
    elif q and IPV4_PREFIX.fullmatch(q):
        out.append(address_prefix_condition(ASSET.c.address, q))
    elif q:
        mac = q.replace("-", ":") if MAC_DASHED.fullmatch(q) else q  # as Windows writes one
        out.append(search_condition(ASSET, ASSET_SEARCHED, mac))
    return out


def scope_condition(table: Table, opd_codes: frozenset[str]) -> Condition:
    codes = sorted(opd_codes)
    names = [f"scope_{i}" for i in range(len(codes))]

    def build() -> ColumnElement[bool]:
        if not names:
            return table.c.opd_code.in_([])  # an empty scope sees nothing
        return table.c.opd_code.in_([bindparam(n, type_=String) for n in names])

    return Condition(("scope", len(codes)), build, dict(zip(names, codes, strict=True)))


def equal_condition(table: Table, name: str, value: Any) -> Condition:
    key = f"eq_{name}"
    return Condition(("eq", name), lambda: table.c[name] == bindparam(key), {key: _plain(value)})


def search_condition(table: Table, columns: Sequence[str], text: str) -> Condition:
    """Case-insensitive substring search over `columns` (as `search` does it)."""

    def build() -> ColumnElement[bool]:
        pattern = bindparam("search_pattern", type_=String)
        return or_(*(table.c[n].ilike(pattern, escape="\\") for n in columns))

    return Condition(("search", tuple(columns)), build, {"search_pattern": like(text.lower())})


def address_prefix_condition(column: Any, prefix: str) -> Condition:
    """`column` starts with `prefix` (digits and dots), as an index range. Both bounds end in a
    digit: collations that ignore punctuation (PostgreSQL's en_US) still order every address
    that starts with the prefix inside the range; LIKE then keeps exactly those."""
    stem = prefix.rstrip(".")
    values = {"prefix_low": stem, "prefix_like": prefix + "%"}  # digits and dots: no escapes
    last = max((i for i, ch in enumerate(stem) if ch.isdigit() and ch != "9"), default=None)
    if last is not None:  # "10.1" -> below "10.2"; "10.9" -> below "11"
        values["prefix_high"] = stem[:last] + chr(ord(stem[last]) + 1)

    def build() -> ColumnElement[bool]:
        within = [
            column >= bindparam("prefix_low", type_=String),
            column.like(bindparam("prefix_like", type_=String)),
        ]
        if "prefix_high" in values:
            within.append(column < bindparam("prefix_high", type_=String))
        return and_(*within)

    return Condition(("prefix", "prefix_high" in values), build, values)
