"""Many rows through the DB-API driver, skipping SQLAlchemy's per-row processing.

Only for ingestion's hot statements. SQL is written once with `:name` placeholders and adapted to
the dialect; values are converted here exactly as the column types would store them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, update

_NAMED = re.compile(r"(?<![:\w]):(\w+)")


def _dumps(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


class Bulk:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self._sql: dict[str, str] = {}

    def _adapt(self, sql: str) -> str:
        if sql not in self._sql:
            self._sql[sql] = _NAMED.sub(r"%(\1)s", sql) if self.postgres else sql
        return self._sql[sql]

    def ts(self, value: datetime | None) -> Any:
        """Naive UTC, in SQLAlchemy's SQLite text format (its string order is time order)."""
        if value is None:
            return None
        naive = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return naive if self.postgres else naive.isoformat(" ", "microseconds")

    def json(self, value: Any) -> Any:
        if value is None:
            return None
        if self.postgres:
            from psycopg.types.json import Json  # only PostgreSQL deployments need psycopg

            return Json(value, dumps=_dumps)
        return _dumps(value)

    def executemany(self, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self.conn.exec_driver_sql(self._adapt(sql), list(rows))

    def in_list(self, column: str, name: str) -> str:
        """`column IN <one parameter holding a list>`: no statement grows with the batch."""
        if self.postgres:
            return f"{column} = ANY(:{name})"
        return f"{column} IN (SELECT value FROM json_each(:{name}))"

    def list_param(self, values: Sequence[Any]) -> Any:
        return list(values) if self.postgres else orjson.dumps(list(values)).decode()

    def fetch(self, sql: str, params: dict[str, Any]) -> list[Any]:
        return list(self.conn.exec_driver_sql(self._adapt(sql), params))

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
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
