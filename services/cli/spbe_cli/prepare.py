"""`spbe db prepare`: the one step before the services start, and before each upgrade.

Waits for the database, migrates the inventory's and the scorer's tables, then makes or updates
the services' least-privilege roles (spbe_cli.db_roles). It is the `migrate` one-shot of
docker-compose.yml, so a new version's migrations run once, before its API starts.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from spbe_cli import db_roles
from spbe_cli.settings import PrepareSettings
from spbe_common.db import make_engine
from spbe_inventory import migrate as inventory_migrate
from spbe_inventory.settings import InventorySettings
from spbe_scorer import migrate as scorer_migrate

console = Console()


def wait_for(engine: Engine, seconds: float) -> None:
    """Connect, retrying for `seconds` (a container start does not wait for the database)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with engine.connect():
                return
        except OperationalError as exc:
            if time.monotonic() >= deadline:
                raise typer.BadParameter(
                    f"the database did not answer within {seconds:g} s: {exc.orig}",
                    param_hint="SPBE_DATABASE_URL",
                ) from None
            time.sleep(1)


def prepare(
    wait: Annotated[
        float, typer.Option(help="Seconds to wait for the database to accept connections.")
    ] = 60.0,
) -> None:
    """Migrate the inventory's and the scorer's tables and set up the services' database roles
    (PostgreSQL: spbe_inventory, spbe_scorer, from SPBE_DB_INVENTORY_PASSWORD and
    SPBE_DB_SCORER_PASSWORD). Run it as the database's owner, before the services start."""
    settings = PrepareSettings()
    inventory_url = InventorySettings().db_url
    scorer_url = settings.scorer_database_url or inventory_url
    engine = make_engine(inventory_url)
    scorer_engine = engine if scorer_url == inventory_url else make_engine(scorer_url)
    try:
        wait_for(engine, wait)
        inventory_migrate.upgrade(engine)
        console.print(f"Inventory tables at {inventory_migrate.head_revision()}.")
        scorer_migrate.upgrade(scorer_engine)
        console.print(f"Scorer tables at {scorer_migrate.head_revision()}.")
        passwords = settings.passwords()
        if engine.dialect.name != "postgresql":
            if passwords:
                console.print("SQLite has no roles: the role passwords are not used.")
            return
        if scorer_engine is not engine and passwords:
            console.print("The scorer has a database of its own: give its role there by hand.")
        try:
            with engine.begin() as conn:
                lines = db_roles.apply(conn, passwords)
        except db_roles.RoleError as exc:
            console.print(f"[red]error[/]: {exc}")
            raise typer.Exit(1) from None
        for line in lines:
            console.print(line)
        if not passwords:
            console.print("No SPBE_DB_*_PASSWORD given: no service role made or changed.")
    finally:
        engine.dispose()
        scorer_engine.dispose()
