"""Alembic environment: the models' metadata, the URL from the caller's config (never at import)."""

from alembic import context
from sqlalchemy import Connection

from spbe_inventory.db import make_engine
from spbe_inventory.models import metadata

config = context.config


def _ours(name: str | None, type_: str, _parents: object) -> bool:
    """Another service (the scorer) may share the database: its tables are not ours to diff."""
    return not (type_ == "table" and name is not None and name.startswith("scorer_"))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
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
    raise SystemExit("offline migrations are not supported; run `spbe db upgrade`")
run_migrations_online()
