"""Least-privilege PostgreSQL roles for the services (the `migrate` step of docker-compose.yml).

The owner of the database (the account `spbe db prepare` connects as) runs the migrations and owns
every table. The services connect as roles that can only read and write rows of their own tables:

  spbe_inventory  the inventory API and consumer: rows of the inventory's tables; reads its
                  migration version; no scorer table, no DDL
  spbe_scorer     the scorer: rows of the `scorer_*` tables; reads its migration version

Neither can create, alter or drop anything, nor read the other's tables. Grants are given anew
after every migration (a table a migration adds is granted at once) and a role's password is set
at every run, so changing it in the environment and re-running the step rotates it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from psycopg import sql
from pydantic import SecretStr
from sqlalchemy import Connection

INVENTORY_VERSION_TABLE = "alembic_version"
SCORER_PREFIX = "scorer_"
SCORER_VERSION_TABLE = "scorer_alembic_version"
ROW_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"


class RoleError(Exception):
    """A service role cannot be made least-privilege by this step."""


class ServiceRole(StrEnum):
    INVENTORY = "spbe_inventory"
    SCORER = "spbe_scorer"


@dataclass(frozen=True)
class RoleGrant:
    role: ServiceRole
    tables: tuple[str, ...]  # rows read and written
    read_only: tuple[str, ...]  # the migration version


def plan(tables: list[str]) -> dict[ServiceRole, RoleGrant]:
    """Which tables each role may use, from the tables of the schema (pure, unit-tested)."""
    scorer = sorted(t for t in tables if t.startswith(SCORER_PREFIX) and t != SCORER_VERSION_TABLE)
    inventory = sorted(
        t for t in tables if not t.startswith(SCORER_PREFIX) and t != INVENTORY_VERSION_TABLE
    )
    return {
        ServiceRole.INVENTORY: RoleGrant(
            ServiceRole.INVENTORY,
            tuple(inventory),
            tuple(t for t in (INVENTORY_VERSION_TABLE,) if t in tables),
        ),
        ServiceRole.SCORER: RoleGrant(
            ServiceRole.SCORER,
            tuple(scorer),
            tuple(t for t in (SCORER_VERSION_TABLE,) if t in tables),
        ),
    }


def _execute(conn: Connection, statement: sql.Composable) -> None:
    # DDL takes no bind parameters: names and the password are quoted by psycopg itself
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor:
        cursor.execute(statement)


def _names(conn: Connection, query: str) -> list[str]:
    return [row[0] for row in conn.exec_driver_sql(query)]


def apply(conn: Connection, passwords: dict[ServiceRole, SecretStr]) -> list[str]:
    """Create or update each role given a password, and grant it exactly its tables.

    Returns one line per role for the operator. PostgreSQL only; call inside a transaction."""
    tables = _names(
        conn, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
    )
    sequences = _names(
        conn, "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1"
    )
    database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
    schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    # before PostgreSQL 15 every role could create tables in `public`: nobody but the owner may
    _execute(conn, sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(sql.Identifier(schema)))
    grants = plan(tables)
    done: list[str] = []
    for role, password in passwords.items():
        grant = grants[role]
        name = sql.Identifier(role.value)
        found = conn.exec_driver_sql(
            "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls "
            "FROM pg_roles WHERE rolname = %(name)s",
            {"name": role.value},
        ).first()
        exists = found is not None
        if found is not None and found[0]:
            raise RoleError(
                f"the role {role.value} exists with rights beyond its tables' rows (superuser, "
                "create role/database, replication or bypass RLS): remove them by hand first"
            )
        # a new role has none of those rights; only the password changes on an existing one
        statement = (
            "ALTER ROLE {} LOGIN PASSWORD {}" if exists else "CREATE ROLE {} LOGIN PASSWORD {}"
        )
        _execute(conn, sql.SQL(statement).format(name, sql.Literal(password.get_secret_value())))
        _execute(
            conn,
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), name),
        )
        _execute(
            conn, sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), name)
        )
        for table in tables:  # start from nothing: a table that changed hands loses its grant
            _execute(
                conn, sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(sql.Identifier(table), name)
            )
        for table in grant.tables:
            _execute(
                conn,
                sql.SQL("GRANT {} ON TABLE {} TO {}").format(
                    sql.SQL(ROW_RIGHTS), sql.Identifier(table), name
                ),
            )
        for table in grant.read_only:
            _execute(
                conn, sql.SQL("GRANT SELECT ON TABLE {} TO {}").format(sql.Identifier(table), name)
            )
        own = [s for s in sequences if s.startswith(SCORER_PREFIX) == (role is ServiceRole.SCORER)]
        for sequence in own:
            _execute(
                conn,
                sql.SQL("GRANT USAGE, SELECT ON SEQUENCE {} TO {}").format(
                    sql.Identifier(sequence), name
                ),
            )
        done.append(
            f"{role.value}: {'updated' if exists else 'created'}; rows of {len(grant.tables)} tables"
        )
    return done
