"""`spbe`: one command line for every service; the only module that composes them."""

import logging

import typer

from spbe_cli import events_cli
from spbe_cli.jobs import collector_job, metrics_addresses, scorer_job
from spbe_cli.prepare import prepare
from spbe_collector.cli import app as collect_app
from spbe_common.settings import DataDirError
from spbe_inventory import cli as inventory_cli
from spbe_scorer.cli import app as score_app

app = typer.Typer(
    help="SPBE Inventory: ICT assets and applications of a Pemerintah Kabupaten/Kota, and SPBE scores.",
    no_args_is_help=True,
)


@app.command("up")
def up() -> None:
    """Everything on one machine (default: SQLite + embedded log): the inventory API and consumer,
    the collector's scan schedules (sample scopes on loopback when no scopes file exists), and
    the scorer's API and schedule (the Penilaian pages); each serves its own /metrics."""
    listed = ", ".join(f"{name} {url}" for name, url in metrics_addresses().items())
    typer.echo(f"Prometheus metrics: {listed}")
    inventory_cli.up(jobs=[("collector", collector_job), ("scorer", scorer_job)])


app.command("api")(inventory_cli.api)
app.command("consume")(inventory_cli.consume)
inventory_cli.db_app.command("prepare")(prepare)  # both services' tables: composed here
app.add_typer(inventory_cli.db_app, name="db")
app.add_typer(inventory_cli.sample_app, name="sample")
app.add_typer(inventory_cli.users_app, name="users")
app.add_typer(inventory_cli.tokens_app, name="tokens")
app.add_typer(inventory_cli.opd_app, name="opd")
app.add_typer(events_cli.app, name="events")
app.add_typer(collect_app, name="collect")
app.add_typer(score_app, name="score")


def run() -> None:
    """The `spbe` entry point: a known start-up failure is one clear line and exit status 2."""
    try:
        app()
    except DataDirError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log more")) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
