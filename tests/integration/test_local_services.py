"""The per-test PostgreSQL database handed out by tests/integration/conftest.py."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool


def test_fresh_database_is_new_empty_and_writable(
    fresh_database_url: str, postgres_url: str
) -> None:
    assert make_url(fresh_database_url).database != make_url(postgres_url).database
    engine = create_engine(fresh_database_url, poolclass=NullPool)
    try:
        assert inspect(engine).get_table_names() == []
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE probe (id int PRIMARY KEY)"))
            conn.execute(text("INSERT INTO probe VALUES (1)"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM probe")).scalar_one() == 1
    finally:
        engine.dispose()
