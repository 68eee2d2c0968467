"""Inventory commands of the `spbe` CLI."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Annotated

import typer
from rich.console import Console

from spbe_inventory import migrate
from spbe_inventory.runtime import Inventory, run_consumer_until_signalled, start_background
from spbe_inventory.sample.service import load_sample
from spbe_inventory.settings import InventorySettings

console = Console()
db_app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)
sample_app = typer.Typer(help="Sample data of a regency.", no_args_is_help=True)


def _inventory() -> Inventory:
    return Inventory.build(InventorySettings())


Job = Callable[[threading.Event], None]


def up(jobs: Sequence[tuple[str, Job]] = ()) -> None:
    """Start the API, the consumer and `jobs` (other services' loops) until Ctrl+C or SIGTERM."""
    inventory = _inventory()
    inventory.migrate()
    summary = inventory.load_sample_if_empty()
    if summary is not None:
        console.print(
            f"[green]Sample data loaded[/]: {summary.opd} OPD, {summary.assets} assets, "
            f"{summary.applications} applications (marked as sample)."
        )
    stop = threading.Event()
    consumer = inventory.consumer()
    threads = [start_background(consumer.run, "consumer", stop)]
    threads += [start_background(job, name, stop) for name, job in jobs]
    url = f"http://{inventory.settings.api_host}:{inventory.settings.api_port}"
    console.print(
        f"SPBE Inventory is running: [bold]{url}/docs[/] (API), {url}/api/v1/assets, "
        f"{url}/metrics. Database {inventory.settings.db_url}, bus {inventory.settings.bus}. Ctrl+C stops."
    )
    try:
        inventory.api_server().run()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        consumer.close()


def api() -> None:
    """Serve the inventory API only."""
    inventory = _inventory()
    inventory.api_server().run()


def consume() -> None:
    """Run the inventory consumer only (scale out: one per partition in a Kafka group)."""
    run_consumer_until_signalled(_inventory())


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database to a revision (default: the newest)."""
    inventory = _inventory()
    migrate.upgrade(inventory.engine, revision)
    console.print(f"Database at {revision}: {inventory.settings.db_url}")


@db_app.command("check")
def db_check() -> None:
    """Fail when the models and the migrations disagree."""
    inventory = _inventory()
    migrate.upgrade(inventory.engine)
    migrate.check(inventory.engine)
    console.print("Models and migrations agree.")


@db_app.command("revision")
def db_revision(message: Annotated[str, typer.Option("-m", "--message")]) -> None:
    """Write a new migration from the difference between the models and the database."""
    migrate.revision(_inventory().engine, message)


@sample_app.command("load")
def sample_load() -> None:
    """Load the sample catalogue of Kabupaten Serang (marked as sample; fictional infrastructure)."""
    inventory = _inventory()
    inventory.migrate()
    with inventory.engine.begin() as conn:
        summary = load_sample(conn)
    if not summary.loaded:
        console.print("Sample data is already there; nothing changed.")
    else:
        console.print(
            f"Loaded {summary.opd} OPD, {summary.facilities} facilities, {summary.network_links} "
            f"network links, {summary.assets} assets, {summary.applications} applications."
        )
