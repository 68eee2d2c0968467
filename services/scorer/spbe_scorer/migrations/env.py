"""Alembic environment of the scorer: its own tables and version table (never at import)."""

from typing import Any

from alembic import context
from sqlalchemy import Connection

from spbe_scorer.db import make_engine
from spbe_scorer.migrate import TABLE_PREFIX, VERSION_TABLE
from spbe_scorer.tables import metadata

config = context.config


def _ours(name: str | None, type_: str, parent_names: Any) -> bool:
    """Compare only the scorer's tables: another service may share the database."""
    return type_ != "table" or bool(name and name.startswith(TABLE_PREFIX))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        include_name=_ours,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
run_migrations_online()
