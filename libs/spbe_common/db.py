"""Database helpers every service uses: engine factory and portable column types.

Nothing connects at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson
from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    String,
    TypeDecorator,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import Select


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


def utcnow() -> datetime:
    return datetime.now(UTC)


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _sqlite_begin)
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: no corruption, survives SIGKILL
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


WRITE = "spbe_write"  # execution option of a connection that will write (see begin_write)


def _sqlite_begin(conn: Connection) -> None:
    """A writer takes SQLite's write lock when it begins, not at its first write: a
    read-modify-write then cannot interleave with another writer (no lost update, no
    SQLITE_BUSY on lock upgrade); readers stay deferred and never wait on a writer (WAL)."""
    immediate = conn.get_execution_options().get(WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def begin_write(engine: Engine) -> Iterator[Connection]:
    """A transaction that writes: committed when the block ends, rolled back on an exception.

    On SQLite it holds the database's write lock from the start, so writers are serialised;
    on PostgreSQL writers lock the rows they change (`SELECT ... FOR UPDATE` in repositories)."""
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        with conn.begin():
            yield conn


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def is_writer(conn: Connection) -> bool:
    return bool(conn.get_execution_options().get(WRITE, False))


Q = TypeVar("Q", bound=Select[Any])


def for_update(conn: Connection, query: Q) -> Q:
    """A read that precedes a write locks its rows on PostgreSQL (SQLite's writer already holds
    the database lock): a concurrent writer then waits instead of losing its update."""
    if is_writer(conn) and is_postgres(conn):
        return query.with_for_update()
    return query


# One lock for identity resolution of assets on PostgreSQL: two writers that both find no asset
# for one MAC, serial or address would otherwise each create one.
ASSET_IDENTITY_LOCK = 0x5B9E_0001


def lock_asset_identities(conn: Connection) -> None:
    """Taken by every writer that resolves asset identities, before its first read of assets."""
    if is_writer(conn) and is_postgres(conn):  # re-entrant: held until the transaction ends
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ASSET_IDENTITY_LOCK})")


# FastAPI runs sync dependencies and handlers on anyio's 40 worker threads; a request holds its
# connection across both, so a pool smaller than that deadlocks under load until its timeout.
POOL_SIZE, MAX_OVERFLOW = 10, 40


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = make_url(url).database or ""
        on_disk = database not in ("", ":memory:")
        if on_disk:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            json_serializer=_json_dumps,
            json_deserializer=orjson.loads,
            connect_args={"check_same_thread": False, "timeout": 30},
            **(
                {"pool_size": POOL_SIZE, "max_overflow": MAX_OVERFLOW}
                if database not in ("", ":memory:")
                else {}
            ),
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=MAX_OVERFLOW,
    )


# Closed vocabularies are stored as their string values (no native ENUM types to migrate).
EnumText = String(32)


class DateText(TypeDecorator[str]):
    """A calendar date kept as ISO text (YYYY-MM-DD): what the JSON of declared fields holds,
    readable as it is by the list pages' driver-level reads, ordered as text."""

    impl = String(10)
    cache_ok = True

    def process_bind_param(self, value: date | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return (value if isinstance(value, date) else date.fromisoformat(value)).isoformat()

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return value
