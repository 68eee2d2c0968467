"""A database outage for one test: its own database of the shared PostgreSQL server refuses
connections and the test's sessions are cut (stopping the server would hit every other test)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


@contextmanager
def database_refusing_connections(url: str) -> Iterator[None]:
    parsed = make_url(url)
    name = parsed.database
    admin = create_engine(
        parsed.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
        conn.execute(
            text(  # our own sessions, not an autovacuum worker (ours to end, not theirs)
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :d AND usename = current_user AND pid <> pg_backend_pid()"
            ),
            {"d": name},
        )
    try:
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
        admin.dispose()
