"""End-to-end browser tests: the real `spbe up` (inventory API and pages, consumer, collector and
scorer) on a fresh SQLite data directory holding the sample catalogue of Kabupaten Serang, driven
by Debian's headless Chromium through Playwright (no browser is ever downloaded).

- One server and one browser per session; every test gets fresh contexts (cheap) signed in from a
  stored session of its role (each role signs in once, through the real /masuk form).
- Every context blocks the network except the service itself and records what it blocked; console
  errors (CSP violations among them) and uncaught page errors are recorded too. A test fails at
  teardown on either, unless it allowed a console message it expects (the status of a 404 page).
- MAIN_PAGES is the one list of main pages; a test that takes the `main_page` fixture runs once
  per page.
- Screenshots go to $SPBE_SCREENSHOTS (default: a pytest tmp directory).
- Without chromium the tests skip, except under CI=true where they fail.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from e2e.web.browsing import (
    MAIN_PAGES,
    OPERATOR_OPD,
    TIMEOUT_MS,
    VIEWPORT,
    Catalogue,
    Opened,
    Server,
    Watch,
    add_account,
    chromium_path,
    environment,
    free_port,
    scopes_file,
    sign_in,
    wait_ready,
)
from playwright.sync_api import Browser, Playwright, sync_playwright

from spbe_common.auth import Role
from spbe_common.db import begin_write
from spbe_inventory import migrate
from spbe_inventory.accounts import service as accounts
from spbe_inventory.db import make_engine
from spbe_inventory.sample.service import load_sample


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the real service in headless Chromium")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`main_page`: every main page; `axe_page`: those axe checks (not the third-party API docs)."""
    if "main_page" in metafunc.fixturenames:
        metafunc.parametrize("main_page", MAIN_PAGES, ids=[p.name for p in MAIN_PAGES])
    if "axe_page" in metafunc.fixturenames:
        pages = [p for p in MAIN_PAGES if p.axe]
        metafunc.parametrize("axe_page", pages, ids=[p.name for p in pages])


def prepare(data: Path) -> tuple[str, str]:
    """Migrate the fresh data directory, load the sample catalogue and make the scorer's service
    account; returns the tokens of the scorer and of an admin (in-process: each `spbe` command
    costs seconds of imports on this 2-core machine; the people's accounts use the CLI)."""
    data.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{data / 'inventory.db'}")
    migrate.upgrade(engine)
    with begin_write(engine) as conn:
        load_sample(conn)
        accounts.add_account(conn, "e2e-scorer", Role.SCORER, [])
        accounts.add_account(conn, "e2e-api", Role.ADMIN, [], password=False)
        tokens = (
            accounts.create_token(conn, "e2e-scorer")[1],
            accounts.create_token(conn, "e2e-api")[1],
        )
    engine.dispose()
    return tokens


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`spbe up` on a fresh data directory holding the sample catalogue; the admin and the operator
    are made with `spbe users add` (the password is the last line it prints)."""
    workdir = tmp_path_factory.mktemp("spbe-up")
    port, scorer_port = free_port(), free_port()
    env = environment(workdir / "data", port, scorer_port, scopes_file(workdir))
    env["SPBE_INVENTORY_TOKEN"], token = prepare(workdir / "data")
    srv = Server(f"http://127.0.0.1:{port}", env, workdir, workdir / "spbe-up.log", token=token)
    with srv.log.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "spbe_cli", "up"],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        with ThreadPoolExecutor(2) as pool:  # beside the start-up of `spbe up`
            list(
                pool.map(
                    lambda a: add_account(srv, *a),
                    [
                        ("admin", "e2e-admin", "admin", None),
                        ("operator", "e2e-operator", "opd_operator", OPERATOR_OPD),
                    ],
                )
            )
        wait_ready(process, srv)
        yield srv
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="session")
def catalogue(server: Server) -> Catalogue:
    return Catalogue(server)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    chromium_path()  # skip or fail before starting anything
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = chromium_path()
    browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def storage_states(
    browser: Browser, server: Server, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Each role signs in once through the /masuk form; contexts start from its stored session."""
    states: dict[str, Path] = {}
    folder = tmp_path_factory.mktemp("sessions")
    for key, account in server.accounts.items():
        context = browser.new_context(base_url=server.base, viewport=VIEWPORT)
        page = context.new_page()
        sign_in(page, account)
        states[key] = folder / f"{key}.json"
        context.storage_state(path=states[key])
        context.close()
    return states


@pytest.fixture
def open_context(
    browser: Browser, server: Server, storage_states: dict[str, Path]
) -> Iterator[Callable[..., Opened]]:
    """open_context(role) -> a new context (1366x768, network blocked but for the service) with a
    page, signed in as `role` ("admin", "operator") or signed out (None)."""
    opened: list[Opened] = []

    def make(role: str | None = "admin", **options: Any) -> Opened:
        state = str(storage_states[role]) if role else None
        context = browser.new_context(
            base_url=server.base,
            viewport=VIEWPORT,
            storage_state=state,
            accept_downloads=True,
            locale="id-ID",
            timezone_id="Asia/Jakarta",
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        watch = Watch(server.base)
        context.route("**/*", watch.route)
        context.on("console", watch.on_console)
        context.on("weberror", lambda error: watch.console.append(f"page error: {error.error}"))
        item = Opened(context, context.new_page(), watch)
        opened.append(item)
        return item

    yield make
    problems = [p for item in opened if not item.watch.checked for p in item.watch.problems()]
    for item in opened:
        item.context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("SPBE_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path
