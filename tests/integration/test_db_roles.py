"""`spbe db prepare` on the real PostgreSQL: both services' migrations, then least-privilege roles
that can work on their own tables' rows and nothing else (the compose stack connects as them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from integration.inventory.conftest import records_of
from psycopg.errors import InsufficientPrivilege
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import NullPool
from synthetic import register_scan_opds, scan_stream
from typer.testing import CliRunner

from spbe_cli.db_roles import ServiceRole
from spbe_cli.main import app
from spbe_inventory.ingest.service import ingest
from spbe_scorer.runtime import open_database
from spbe_scorer.settings import ScorerSettings

pytestmark = pytest.mark.postgres

PASSWORDS = {ServiceRole.INVENTORY: "inventaris-rahasia", ServiceRole.SCORER: "penilai-rahasia"}


def prepare(monkeypatch: pytest.MonkeyPatch, url: str, **passwords: str) -> str:
    monkeypatch.setenv("SPBE_DATABASE_URL", url)
    monkeypatch.delenv("SPBE_SCORER_DATABASE_URL", raising=False)
    for name in ("SPBE_DB_INVENTORY_PASSWORD", "SPBE_DB_SCORER_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in passwords.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["db", "prepare", "--wait", "5"])
    assert result.exit_code == 0, result.output
    return result.output


def as_role(url: str, role: ServiceRole) -> Engine:
    signed_in = make_url(url).set(username=role.value, password=PASSWORDS[role])
    return create_engine(signed_in, poolclass=NullPool)


@pytest.fixture
def prepared(monkeypatch: pytest.MonkeyPatch, fresh_database_url: str) -> Iterator[str]:
    output = prepare(
        monkeypatch,
        fresh_database_url,
        SPBE_DB_INVENTORY_PASSWORD=PASSWORDS[ServiceRole.INVENTORY],
        SPBE_DB_SCORER_PASSWORD=PASSWORDS[ServiceRole.SCORER],
    )
    assert "Inventory tables at" in output and "Scorer tables at" in output
    yield fresh_database_url


def tables(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        )
        return [row[0] for row in rows]


def privileges(engine: Engine, role: ServiceRole, table: str) -> set[str]:
    wanted = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
    with engine.connect() as conn:
        return {
            p
            for p in wanted
            if conn.execute(
                text("SELECT has_table_privilege(:r, :t, :p)"),
                {"r": role.value, "t": table, "p": p},
            ).scalar_one()
        }


def test_each_role_gets_the_rows_of_its_own_tables_only(prepared: str) -> None:
    owner = create_engine(prepared, poolclass=NullPool)
    names = tables(owner)
    rows = {"SELECT", "INSERT", "UPDATE", "DELETE"}
    assert "asset" in names and "scorer_run" in names
    for table in names:
        inventory = privileges(owner, ServiceRole.INVENTORY, table)
        scorer = privileges(owner, ServiceRole.SCORER, table)
        if table == "alembic_version":
            assert (inventory, scorer) == ({"SELECT"}, set()), table
        elif table == "scorer_alembic_version":
            assert (inventory, scorer) == (set(), {"SELECT"}), table
        elif table.startswith("scorer_"):
            assert (inventory, scorer) == (set(), rows), table
        else:
            assert (inventory, scorer) == (rows, set()), table
    owner.dispose()


def test_the_inventory_role_ingests_but_cannot_change_the_schema(prepared: str) -> None:
    engine = as_role(prepared, ServiceRole.INVENTORY)
    events = list(scan_stream(scopes=1, hosts=5, scans=1))
    register_scan_opds(engine, events)
    with engine.begin() as conn:
        result = ingest(conn, records_of(events))
    assert (sum(result.ingested.values()), result.rejected) == (len(events), [])
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM asset")).scalar_one() == 5
    for statement in (
        "CREATE TABLE sneaky (id int)",
        "DROP TABLE asset",
        "ALTER TABLE asset ADD COLUMN x int",
        "SELECT count(*) FROM scorer_run",
        "TRUNCATE asset",
    ):
        with pytest.raises(ProgrammingError) as denied, engine.begin() as conn:
            conn.execute(text(statement))
        assert isinstance(denied.value.orig, InsufficientPrivilege), statement
    engine.dispose()


def test_the_scorer_role_starts_the_scorer_on_the_prepared_tables(prepared: str) -> None:
    url = make_url(prepared).set(
        username=ServiceRole.SCORER.value, password=PASSWORDS[ServiceRole.SCORER]
    )
    engine = open_database(ScorerSettings(scorer_database_url=url.render_as_string(False)))
    try:
        with engine.begin() as conn:  # its migrations are already at head: nothing to create
            assert conn.execute(text("SELECT count(*) FROM scorer_run")).scalar_one() == 0
        with pytest.raises(ProgrammingError) as denied, engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM asset"))
        assert isinstance(denied.value.orig, InsufficientPrivilege)
    finally:
        engine.dispose()


def test_prepare_again_keeps_grants_and_rotates_a_password(
    prepared: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = prepare(monkeypatch, prepared, SPBE_DB_INVENTORY_PASSWORD="baru-lagi")
    assert "spbe_inventory: updated" in output
    owner = create_engine(prepared, poolclass=NullPool)
    assert privileges(owner, ServiceRole.INVENTORY, "asset") == {
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
    }
    owner.dispose()
    old = as_role(prepared, ServiceRole.INVENTORY)
    with pytest.raises(Exception, match="password authentication failed"), old.connect():
        pass
    renewed = make_url(prepared).set(username="spbe_inventory", password="baru-lagi")
    with create_engine(renewed, poolclass=NullPool).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM asset")).scalar_one() == 0
    # restore for the other tests of this cluster-wide role
    prepare(monkeypatch, prepared, SPBE_DB_INVENTORY_PASSWORD=PASSWORDS[ServiceRole.INVENTORY])


def test_without_passwords_no_role_is_touched(
    monkeypatch: pytest.MonkeyPatch, fresh_database_url: str
) -> None:
    output = prepare(monkeypatch, fresh_database_url)
    assert "no service role made or changed" in output
    owner = create_engine(fresh_database_url, poolclass=NullPool)
    with owner.connect() as conn:
        granted = conn.execute(
            text(
                "SELECT count(*) FROM information_schema.role_table_grants "
                "WHERE grantee IN ('spbe_inventory', 'spbe_scorer') AND table_catalog = current_database()"
            )
        ).scalar_one()
    assert granted == 0
    owner.dispose()
