"""Inventory commands of the `spbe` CLI."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from sqlalchemy import Connection

from spbe_common import heap
from spbe_common.auth import Role
from spbe_common.db import begin_write
from spbe_common.settings import Environment
from spbe_inventory import migrate
from spbe_inventory.accounts import repository as accounts_repo
from spbe_inventory.accounts import service as accounts
from spbe_inventory.opd import load as opd_file
from spbe_inventory.runtime import Inventory, run_consumer_until_signalled, start_background
from spbe_inventory.sample.service import load_sample
from spbe_inventory.settings import InventorySettings

console = Console()
db_app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)
sample_app = typer.Typer(help="Sample data of a regency.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts of people and services.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens (Authorization: Bearer).", no_args_is_help=True)
opd_app = typer.Typer(help="The regency's OPD (organisation units).", no_args_is_help=True)


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
    _first_start(inventory)
    stop = threading.Event()
    consumer = inventory.consumer()
    server = inventory.api_server()
    heap.settle()
    threads = [start_background(consumer.run, "consumer", stop)]
    threads += [start_background(job, name, stop) for name, job in jobs]
    url = f"http://{inventory.settings.api_host}:{inventory.settings.api_port}"
    console.print(
        f"SPBE Inventory is running: [bold]{url}/[/] (halaman web), {url}/docs (API), "
        f"{url}/metrics. Database {inventory.settings.db_url}, bus {inventory.settings.bus}. Ctrl+C stops."
    )
    try:
        server.run()
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        consumer.close()


def api() -> None:
    """Serve the inventory API only."""
    inventory = _inventory()
    _first_start(inventory)
    server = inventory.api_server()
    heap.settle()
    server.run()


def _first_start(inventory: Inventory) -> None:
    """Production needs an admin made with `spbe users add`; elsewhere the first start makes one
    with a generated password and prints it, once (no default password exists anywhere)."""
    settings = inventory.settings
    with begin_write(inventory.engine) as conn:
        if settings.environment is Environment.PRODUCTION:
            if not accounts.has_admin(conn):
                _fail("no admin account: create one first with `spbe users add NAME --role admin`")
            return
        created = accounts.ensure_first_admin(conn)
    if created is not None:
        name, password = created
        url = f"http://{settings.api_host}:{settings.api_port}"
        console.print(
            f"[bold]First start[/]: sign in at {url}/ as [bold]{name}[/] with the password below "
            "(shown only now; keep it safe, then make personal accounts with `spbe users add`):"
        )
        print(password, flush=True)


SERVICE_TOKEN_DAYS = 1  # the shortest a token lives; `spbe up` issues a fresh one at each start


def local_service_token(name: str, role: Role) -> str | None:
    """For a service `spbe up` runs in-process (the scorer): outside production, make sure the
    service account `name` exists, revoke its earlier tokens and return a fresh short-lived one,
    so a newcomer needs no `spbe tokens create`. Production returns None: there the service
    keeps the token an operator gave it (SPBE_INVENTORY_TOKEN). Here, beside `_first_start`,
    because the inventory owns the accounts; spbe_cli only composes services."""
    inventory = _inventory()
    if inventory.settings.environment is Environment.PRODUCTION:
        return None
    try:
        with begin_write(inventory.engine) as conn:
            if accounts_repo.by_name(conn, name) is None:
                accounts.add_account(conn, name, role, [])
            for row in accounts_repo.tokens(conn, name):
                if row["revoked_at"] is None:
                    accounts.revoke_token(conn, str(row["id"]))
            return _own_token(conn, name, role)
    finally:
        inventory.engine.dispose()


def _own_token(conn: Connection, name: str, role: Role) -> str:
    row = accounts_repo.by_name(conn, name)
    if row is None or row["role"] != role.value or row["disabled"]:
        raise accounts.AccountError(f"account {name!r} exists but is not an enabled {role.value}")
    return accounts.create_token(conn, name, SERVICE_TOKEN_DAYS)[1]


@contextmanager
def _account_change() -> Iterator[Connection]:
    """The write transaction of an account command; a refusal is one line on stderr, exit 2."""
    try:
        with begin_write(_inventory().engine) as conn:
            yield conn
    except accounts.AccountError as exc:
        _fail(str(exc))


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


# --- accounts and tokens ------------------------------------------------------------------------
@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="Account name: a-z 0-9 . _ -")],
    role: Annotated[Role, typer.Option("--role", help="What the account may do")],
    opd: Annotated[
        list[str] | None,
        typer.Option(
            "--opd",
            help="OPD code (repeat): an operator's or viewer's scope, an evaluator's own OPD",
        ),
    ] = None,
) -> None:
    """Create an account; prints its generated password (only now) on the last line."""
    with _account_change() as conn:
        password = accounts.add_account(conn, name, role, opd or [])
    if not password:  # a service account
        console.print(
            f"Service account [bold]{name}[/] created; give it a token: spbe tokens create {name}"
        )
        return
    console.print(f"Account [bold]{name}[/] ({role.value}) created. Its password, shown once:")
    print(password, flush=True)


@users_app.command("list")
def users_list() -> None:
    """Every account: name, role, OPD scope, state and last sign-in."""
    with _inventory().engine.connect() as conn:
        rows = accounts_repo.all_accounts(conn)
    for row in rows:
        scope = ",".join(row["opd_codes"]) or "all OPD"
        state = "disabled" if row["disabled"] else "enabled"
        last = row["last_login_at"].isoformat() if row["last_login_at"] else "never"
        print(f"{row['name']}\t{row['role']}\t{scope}\t{state}\tlast sign-in {last}")


@users_app.command("disable")
def users_disable(name: str) -> None:
    """Disable an account: its sign-ins, sessions and tokens stop working at once."""
    with _account_change() as conn:
        accounts.disable(conn, name)
    console.print(f"Account {name} disabled.")


@users_app.command("enable")
def users_enable(name: str) -> None:
    """Enable a disabled account again."""
    with _account_change() as conn:
        accounts.enable(conn, name)
    console.print(f"Account {name} enabled.")


@users_app.command("reset-password")
def users_reset_password(name: str) -> None:
    """A new generated password for a person's account (a forgotten one, or one locked out by
    failed sign-ins): its sessions end; the password alone on the last line, shown only now."""
    with _account_change() as conn:
        password = accounts.reset_password(conn, name)
    console.print(f"Account [bold]{name}[/]: new password, shown once:")
    print(password, flush=True)


@tokens_app.command("create")
def tokens_create(
    account: str,
    expires_days: Annotated[int, typer.Option("--expires-days", min=1, max=3650)] = (
        accounts.TOKEN_DAYS
    ),
) -> None:
    """Create an API token for an account (person or service); the token alone on the last line."""
    with _account_change() as conn:
        token_id, token = accounts.create_token(conn, account, expires_days)
    console.print(
        f"Token {token_id} for {account}, valid {expires_days} days; send it as "
        "'Authorization: Bearer <token>'. Shown only now:"
    )
    print(token, flush=True)


@tokens_app.command("list")
def tokens_list(account: Annotated[str | None, typer.Argument()] = None) -> None:
    """Tokens (never the token itself): id, account, expiry, last use, state."""
    with _inventory().engine.connect() as conn:
        rows = accounts_repo.tokens(conn, account)
    for row in rows:
        used = row["last_used_at"].isoformat() if row["last_used_at"] else "never used"
        state = "revoked" if row["revoked_at"] else "live"
        print(
            f"{row['id']}\t{row['account']}\texpires {row['expires_at'].isoformat()}\t{used}\t{state}"
        )


@tokens_app.command("revoke")
def tokens_revoke(token_id: str) -> None:
    """Revoke a token by its id: it stops working at once."""
    with _account_change() as conn:
        accounts.revoke_token(conn, token_id)
    console.print(f"Token {token_id} revoked.")


def consume() -> None:
    """Run the inventory consumer only (scale out: one per partition in a Kafka group)."""
    run_consumer_until_signalled(_inventory())


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database to a revision (default: the newest)."""
    inventory = _inventory()
    migrate.upgrade(inventory.engine, revision)
    with inventory.engine.connect() as conn:
        current = migrate.current_revision(conn)
    where = inventory.engine.url.render_as_string(hide_password=True)
    console.print(f"Database at {current}: {where}")


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
        summary = load_sample(conn, inventory.settings.api_url)
    if not summary.loaded:
        console.print("Sample data is already there; nothing changed.")
    else:
        console.print(
            f"Loaded {summary.opd} OPD, {summary.facilities} facilities, {summary.network_links} "
            f"network links, {summary.assets} assets, {summary.applications} applications."
        )


@opd_app.command("load")
def opd_load(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV (UTF-8, ',' or ';') or XLSX: columns kode, nama and optionally singkatan, "
            "jenis, alias (or code, name, abbreviation, kind, aliases)",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing")
    ] = False,
) -> None:
    """Load the regency's list of OPD from a CSV or XLSX file (by code).

    New codes are created, changed values of known codes updated (with
    history), none deleted. A file with any problem writes nothing (exit 1).
    jenis: sekretariat, badan, dinas, rsud, kecamatan (or secretariat,
    agency, hospital); empty is agency. alias: several separated by '|'.
    A column the file does not have is left as it is in the catalogue."""
    inventory = _inventory()
    try:
        parsed = _opd_list(file, inventory.settings)
        inventory.migrate()
        if dry_run:
            with inventory.engine.begin() as conn:
                summary = opd_file.plan(conn, parsed.rows)
        else:
            with begin_write(inventory.engine) as conn:
                summary = opd_file.apply(conn, parsed.rows, opd_file.cause_of(file.name))
    finally:
        inventory.engine.dispose()
    for change in summary.changes:
        if change.action != "unchanged":
            console.print(f"  {change}", highlight=False, markup=False)
    suffix = " (dry run: nothing written)" if dry_run else ""
    console.print(f"OPD from {file.name}: {summary}{suffix}.", highlight=False, markup=False)


def _opd_list(file: Path, settings: InventorySettings) -> opd_file.OpdList:
    """The file's OPD; a file that cannot be read or has a bad row ends the command (exit 1)."""
    try:
        rows = opd_file.read_table(file, settings.import_max_bytes, settings.import_max_rows)
    except opd_file.LoadRefused as exc:
        typer.echo(f"error: {exc}; nothing was written", err=True)
        raise typer.Exit(1) from None
    parsed = opd_file.parse_table(rows)
    if parsed.ignored_columns:
        typer.echo(f"note: columns ignored: {', '.join(parsed.ignored_columns)}", err=True)
    if parsed.problems:
        typer.echo(
            f"error: {file.name} has {len(parsed.problems)} problem(s); nothing was written:",
            err=True,
        )
        for problem in parsed.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1)
    return parsed
