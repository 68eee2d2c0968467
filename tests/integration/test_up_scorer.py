"""`spbe up` runs the scorer in-process: its API on SPBE_SCORER_API_PORT and its schedule, which
reads the inventory with a fresh short-lived token of the `scorer` service account (the earlier
ones revoked), so the Penilaian pages have a run at once without any `spbe tokens create`."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from harness import bearer, grant, web_session
from sqlalchemy import Engine

from spbe_cli.jobs import scorer_job
from spbe_common.auth import Role
from spbe_common.db import begin_write
from spbe_inventory import migrate
from spbe_inventory.accounts import repository as accounts_repo
from spbe_inventory.accounts import service as accounts
from spbe_inventory.api.app import create_app
from spbe_inventory.api.security import SESSION_COOKIE
from spbe_inventory.cli import local_service_token
from spbe_inventory.db import make_engine, utcnow
from spbe_inventory.sample.service import load_sample
from spbe_inventory.settings import InventorySettings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """What `spbe up` reads: SPBE_* pointing at a fresh SQLite catalogue in tmp_path."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("SPBE_DATABASE_URL", "SPBE_INVENTORY_URL", "SPBE_INVENTORY_TOKEN",
                 "SPBE_SCORER_DATABASE_URL", "SPBE_ENVIRONMENT", "SPBE_BUS"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the developer
    monkeypatch.setenv("SPBE_DATA_DIR", str(data))
    monkeypatch.setenv("SPBE_EVENT_LOG_PATH", str(tmp_path / "events.db"))
    return data


@pytest.fixture
def engine(data_dir: Path) -> Iterator[Engine]:
    engine = make_engine(InventorySettings().db_url)
    migrate.upgrade(engine)
    with begin_write(engine) as conn:
        load_sample(conn)
    yield engine
    engine.dispose()


def live_scorer_tokens(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        rows = accounts_repo.tokens(conn, "scorer")
    return [r["id"] for r in rows if r["revoked_at"] is None and r["expires_at"] > utcnow()]


def test_each_start_makes_a_fresh_day_long_token_and_revokes_the_earlier(engine: Engine) -> None:
    first = local_service_token("scorer", Role.SCORER)
    second = local_service_token("scorer", Role.SCORER)
    assert first and second and first != second
    with engine.connect() as conn:
        assert accounts.principal_of_token(conn, first) is None  # revoked
        found = accounts.principal_of_token(conn, second)
        account = accounts_repo.by_name(conn, "scorer")
        (row,) = [r for r in accounts_repo.tokens(conn, "scorer") if r["revoked_at"] is None]
    assert found is not None and found[0].role is Role.SCORER
    assert account is not None and account["password_hash"] is None  # a token-only account
    assert (row["expires_at"] - row["created_at"]).days == 1
    assert len(live_scorer_tokens(engine)) == 1


def test_a_person_named_scorer_gets_no_service_token(engine: Engine) -> None:
    grant(engine, Role.VIEWER, name="scorer")
    with pytest.raises(accounts.AccountError, match="not an enabled scorer"):
        local_service_token("scorer", Role.SCORER)


def test_up_serves_the_scorer_api_and_scores_once_the_inventory_answers(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port, scorer_port = free_port(), free_port()
    monkeypatch.setenv("SPBE_API_PORT", str(port))
    monkeypatch.setenv("SPBE_SCORER_API_PORT", str(scorer_port))
    settings = InventorySettings(scorer_url=f"http://127.0.0.1:{scorer_port}")
    app = create_app(settings, engine)
    stop = threading.Event()
    job = threading.Thread(target=scorer_job, args=(stop,), daemon=True)
    job.start()  # before the inventory API, as `spbe up` starts its jobs: the job waits for it
    time.sleep(0.5)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")
    )
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    admin = bearer(grant(engine, Role.ADMIN))
    try:
        runs = wait_for_runs(f"http://127.0.0.1:{scorer_port}", admin)
        assert runs["data"][0]["framework"] == "spbe-2020"
        secret, _csrf = web_session(engine, Role.EVALUATOR)
        with TestClient(app, follow_redirects=False) as browser:
            browser.cookies.set(SESSION_COOKIE, secret)
            page = browser.get("/penilaian")
        assert page.status_code == 200 and runs["data"][0]["id"] in page.text
    finally:
        stop.set()
        job.join(timeout=20)
        server.should_exit = True
        serving.join(timeout=10)
    assert not job.is_alive()
    with pytest.raises(httpx.ConnectError):  # the scorer API stopped with `spbe up`
        httpx.get(f"http://127.0.0.1:{scorer_port}/healthz", timeout=2)


def wait_for_runs(url: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"{url}/api/v1/runs", headers=headers, timeout=5)
            if response.status_code == 200 and response.json()["count"]:
                return dict(response.json())
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the in-process scorer stored no run within 60 s")
