"""Many rows through the DB-API driver, skipping SQLAlchemy's per-row processing.

Only for ingestion's hot statements. SQL is written once with `:name` placeholders and adapted to
the dialect; values are converted here exactly as the column types would store them.

`insert` and `update` write a batch in the way each database takes it best: on SQLite (in
process, no round trips) one prepared statement run for each row (`executemany`); on PostgreSQL
one set-based statement per batch, its rows sent as one JSON parameter and typed by
`json_to_recordset` (row-by-row statements there cost a round trip and a plan each).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Connection, Table, bindparam, update
from sqlalchemy.dialects import postgresql

_NAMED = re.compile(r"(?<![:\w]):(\w+)")
Values = Sequence[Any]  # one row's values, in the order of the columns named with them


def _dumps(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


# Text of the instants a batch writes: an event's time is written several times (asset, its
# services, history), a row's last_seen was read as text; formatting costs 20 times a lookup.
_TEXTS: dict[datetime, str] = {}
_TEXTS_MAX = 1 << 16


def ts_text(value: datetime) -> str:
    """Naive UTC in SQLAlchemy's SQLite text format (its string order is time order)."""
    text = _TEXTS.get(value)
    if text is None:
        if len(_TEXTS) >= _TEXTS_MAX:
            _TEXTS.clear()
        utc = value if value.tzinfo is None or value.tzinfo is UTC else value.astimezone(UTC)
        # "YYYY-MM-DD HH:MM:SS.ffffff", without the "+00:00" an aware instant ends with
        text = _TEXTS[value] = utc.isoformat(" ", "microseconds")[:26]
    return text


def naive_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None)


@cache
def _record_type(table: Table, names: tuple[str, ...]) -> str:
    """`r(name type, ...)` of json_to_recordset for these columns (`k_<name>`: a key's value)."""
    dialect = postgresql.dialect()
    fields = []
    for name in names:
        column = table.c[name.removeprefix("k_")]
        fields.append(f'"{name}" {column.type.compile(dialect=dialect)}')
    return f"r({', '.join(fields)})"


class Bulk:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self._sql: dict[str, str] = {}

    def _adapt(self, sql: str, positional: bool = False) -> str:
        key = f"{positional}{sql}"
        if key not in self._sql:
            if positional:
                self._sql[key] = _NAMED.sub("%s" if self.postgres else "?", sql)
            else:
                self._sql[key] = _NAMED.sub(r"%(\1)s", sql) if self.postgres else sql
        return self._sql[key]

    def ts(self, value: datetime | None) -> Any:
        """Naive UTC: a datetime for PostgreSQL, SQLAlchemy's text format for SQLite."""
        if value is None:
            return None
        return naive_utc(value) if self.postgres else ts_text(value)

    def json(self, value: Any) -> Any:
        """A JSON column's value as a statement parameter."""
        if value is None:
            return None
        if self.postgres:
            from psycopg.types.json import Json  # only PostgreSQL deployments need psycopg

            return Json(value, dumps=_dumps)
        return _dumps(value)

    def doc(self, value: Any) -> Any:
        """A JSON column's value as `insert` and `update` take it (PostgreSQL: the value itself,
        sent inside the batch's JSON)."""
        if value is None or self.postgres:
            return value
        return _dumps(value)

    def executemany(self, sql: str, rows: Sequence[dict[str, Any]] | Sequence[Values]) -> None:
        """Rows are dicts of `:name` values, or sequences in the order the names appear."""
        if not rows:
            return
        positional = not isinstance(rows[0], dict)
        if positional and not isinstance(rows[0], tuple):  # the driver takes tuples only
            rows = [tuple(row) for row in rows]
        self.conn.exec_driver_sql(self._adapt(sql, positional), list(rows))

    def insert(self, table: Table, columns: Sequence[str], rows: Sequence[Values]) -> None:
        """INSERT rows (values in the order of `columns`, converted with `ts` and `doc`)."""
        if not rows:
            return
        names = ", ".join(columns)
        if not self.postgres:
            marks = ", ".join("?" * len(columns))
            self.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)
            return
        record = _record_type(table, tuple(columns))
        self._recordset(
            f"INSERT INTO {table.name} ({names}) SELECT {names} FROM json_to_recordset(CAST(:rows AS json)) AS {record}",
            columns,
            rows,
        )

    def update(
        self, table: Table, columns: Sequence[str], keys: Sequence[str], rows: Sequence[Values]
    ) -> None:
        """UPDATE rows matched on `keys` (values: the columns', then the keys', in order)."""
        if not rows:
            return
        if not self.postgres:
            assignments = ", ".join(f"{c} = ?" for c in columns)
            where = " AND ".join(f"{k} = ?" for k in keys)
            self.executemany(f"UPDATE {table.name} SET {assignments} WHERE {where}", rows)
            return
        fields = (*columns, *(f"k_{k}" for k in keys))
        record = _record_type(table, fields)
        assignments = ", ".join(f'{c} = r."{c}"' for c in columns)
        where = " AND ".join(f'{table.name}.{k} = r."k_{k}"' for k in keys)
        self._recordset(
            f"UPDATE {table.name} SET {assignments} FROM json_to_recordset(CAST(:rows AS json)) AS {record}"
            f" WHERE {where}",
            fields,
            rows,
        )

    def _recordset(self, sql: str, fields: Sequence[str], rows: Sequence[Values]) -> None:
        data = orjson.dumps([dict(zip(fields, row, strict=True)) for row in rows], default=str)
        self.conn.exec_driver_sql(self._adapt(sql), {"rows": data.decode()})

    def in_list(self, column: str, name: str) -> str:
        """`column IN <one parameter holding a list>`: no statement grows with the batch."""
        if self.postgres:
            return f"{column} = ANY(:{name})"
        return f"{column} IN (SELECT value FROM json_each(:{name}))"

    def list_param(self, values: Sequence[Any]) -> Any:
        return list(values) if self.postgres else orjson.dumps(list(values)).decode()

    def fetch(self, sql: str, params: dict[str, Any]) -> Sequence[Any]:
        return self.conn.exec_driver_sql(self._adapt(sql), params).fetchall()

    def last_insert_rowid(self) -> int:
        return int(self.conn.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())


CHUNK = 500  # stays far below every driver's bound-parameter limit


def chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def update_by_id(
    conn: Connection, table: Any, columns: Sequence[str], rows: list[dict[str, Any]]
) -> None:
    """UPDATE many rows by primary key through SQLAlchemy (its column types apply)."""
    if not rows:
        return
    stmt = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({name: bindparam(name) for name in columns})
    )
    conn.execute(
        stmt, [{"_id": row["id"], **{name: row[name] for name in columns}} for row in rows]
    )


def parse_ts(value: Any) -> datetime | None:
    """A timestamp read through the driver (text on SQLite) as aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None and len(value) == 26 and value[10] == " ":  # as ts_text writes it
            parsed = parsed.replace(tzinfo=UTC)
            if len(_TEXTS) < _TEXTS_MAX:
                _TEXTS[parsed] = value
            return parsed
        value = parsed
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
