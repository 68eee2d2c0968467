"""Credentials: tokens expire and can be revoked, cookie changes need the CSRF token, failed
sign-ins are limited, the first start prints a password once, production needs an admin, and
history names the account that made each change."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from harness import bearer, grant
from sqlalchemy import Engine, text, update
from typer.testing import CliRunner, Result

from spbe_common.auth import Role
from spbe_common.db import begin_write
from spbe_inventory import cli as inventory_cli
from spbe_inventory import migrate
from spbe_inventory.accounts import repository as accounts_repo
from spbe_inventory.accounts import service as accounts
from spbe_inventory.api.app import create_app
from spbe_inventory.db import make_engine, utcnow
from spbe_inventory.settings import InventorySettings

SPBE = Path(sys.executable).with_name("spbe")


@pytest.fixture
def anonymous(tmp_path: Path, engine: Engine) -> Iterator[TestClient]:
    app = create_app(InventorySettings(data_dir=tmp_path), engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _person(
    engine: Engine, name: str, role: Role = Role.ADMIN, opd: list[str] | None = None
) -> str:
    with begin_write(engine) as conn:
        return accounts.add_account(conn, name, role, opd or [])


def test_without_credentials_only_health_and_sign_in_answer(anonymous: TestClient) -> None:
    for path in ("/healthz", "/readyz", "/metrics"):
        assert anonymous.get(path).status_code == 200, path
    for path in ("/api/v1/assets", "/api/v1/opd", "/api/v1/rejected-events", "/api/v1/auth/me"):
        response = anonymous.get(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"] == "Bearer"
    assert anonymous.post("/api/v1/opd", json={"code": "X", "name": "Xx"}).status_code == 401
    wrong = anonymous.get("/api/v1/assets", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert wrong.status_code == 401


def test_a_token_works_until_it_expires_or_is_revoked(
    anonymous: TestClient, engine: Engine
) -> None:
    token = grant(engine, Role.VIEWER, name="pemantau")
    assert anonymous.get("/api/v1/auth/me", headers=bearer(token)).json() == {
        "name": "pemantau",
        "role": "viewer",
        "opd_codes": None,
        "member_of": [],
    }
    with begin_write(engine) as conn:  # a day passes past its expiry
        conn.execute(update(accounts_repo.TOKEN).values(expires_at=utcnow() - timedelta(seconds=1)))
    expired = anonymous.get("/api/v1/assets", headers=bearer(token))
    assert expired.status_code == 401
    assert expired.json() == {"detail": "the token is unknown, expired or revoked"}

    token = grant(engine, Role.VIEWER, name="pemantau-2")
    assert anonymous.get("/api/v1/assets", headers=bearer(token)).status_code == 200
    with engine.connect() as conn:
        (listed,) = accounts_repo.tokens(conn, "pemantau-2")
    with begin_write(engine) as conn:
        accounts.revoke_token(conn, listed["id"])
    assert anonymous.get("/api/v1/assets", headers=bearer(token)).status_code == 401


def test_a_disabled_account_loses_its_tokens_at_once(anonymous: TestClient, engine: Engine) -> None:
    grant(engine, Role.ADMIN)  # another admin: the last one cannot be disabled
    token = grant(engine, Role.ADMIN, name="mantan-staf")
    assert anonymous.get("/api/v1/opd", headers=bearer(token)).status_code == 200
    with begin_write(engine) as conn:
        accounts.disable(conn, "mantan-staf")
    assert anonymous.get("/api/v1/opd", headers=bearer(token)).status_code == 401


def test_tokens_are_stored_only_as_digests_and_passwords_only_as_argon2(engine: Engine) -> None:
    token = grant(engine, Role.VIEWER, name="cek-simpan")
    password = _person(engine, "cek-sandi")
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT digest FROM api_token")).scalars().all()
        hashed = conn.execute(
            text("SELECT password_hash FROM account WHERE name = 'cek-sandi'")
        ).scalar_one()
    assert token not in stored and len(token) >= 43  # 256 random bits, url-safe
    assert hashed.startswith("$argon2id$") and password not in hashed


def test_a_change_made_by_cookie_needs_the_csrf_token(
    anonymous: TestClient, engine: Engine
) -> None:
    password = _person(engine, "aptika")
    signed_in = anonymous.post("/api/v1/auth/login", json={"name": "aptika", "password": password})
    assert signed_in.status_code == 200, signed_in.text
    cookie = signed_in.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "spbe_session=" in cookie
    assert "Secure" not in cookie, "development serves plain http on loopback"
    csrf = signed_in.json()["csrf_token"]
    assert anonymous.get("/api/v1/auth/me").json()["name"] == "aptika"  # the cookie reads

    body = {"code": "BAPPERIDA", "name": "Bapperida"}
    refused = anonymous.post("/api/v1/opd", json=body)
    assert refused.status_code == 403
    assert "X-CSRF-Token" in refused.json()["detail"]
    wrong = anonymous.post("/api/v1/opd", json=body, headers={"X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403
    assert anonymous.get("/api/v1/opd/BAPPERIDA").status_code == 404, "nothing was written"
    done = anonymous.post("/api/v1/opd", json=body, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 201, done.text

    assert anonymous.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert anonymous.get("/api/v1/auth/me").status_code == 401


def test_the_session_cookie_is_secure_outside_development(tmp_path: Path, engine: Engine) -> None:
    settings = InventorySettings(data_dir=tmp_path, environment="test")
    password = _person(engine, "aptika")
    with TestClient(create_app(settings, engine), base_url="https://testserver") as client:
        assert client.get("/docs").status_code == 401, "the API docs need a sign-in here"
        assert client.get("/redoc").status_code == 401
        assert client.get("/openapi.json").status_code == 401
        signed_in = client.post("/api/v1/auth/login", json={"name": "aptika", "password": password})
        assert "Secure" in signed_in.headers["set-cookie"]
        assert client.get("/openapi.json").status_code == 200  # the cookie signs in
        assert client.get("/docs").status_code == 200
        assert client.get("/redoc").status_code == 200


def test_failed_sign_ins_are_limited_per_account_and_per_address(
    anonymous: TestClient, engine: Engine
) -> None:
    password = _person(engine, "sasaran")
    wrong = {"name": "sasaran", "password": "tebakan"}
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        assert anonymous.post("/api/v1/auth/login", json=wrong).status_code == 401
    limited = anonymous.post("/api/v1/auth/login", json={"name": "sasaran", "password": password})
    assert limited.status_code == 429, "even the right password waits out the window"
    assert int(limited.headers["retry-after"]) > 0

    other = _person(engine, "lainnya")
    tries = accounts.MAX_FAILURES_PER_ADDRESS - accounts.MAX_FAILURES_PER_ACCOUNT
    for i in range(tries):  # many accounts guessed from one address
        assert (
            anonymous.post(
                "/api/v1/auth/login", json={"name": f"u{i}", "password": "x"}
            ).status_code
            == 401
        )
    blocked = anonymous.post("/api/v1/auth/login", json={"name": "lainnya", "password": other})
    assert blocked.status_code == 429


def test_history_names_the_account_that_made_each_change(
    client: TestClient, engine: Engine
) -> None:
    dinkes = {"code": "DINKES", "name": "Dinas Kesehatan"}
    assert client.post("/api/v1/opd", json=dinkes).status_code == 201
    token = grant(engine, Role.OPD_OPERATOR, ["DINKES"], name="tik-dinkes")
    created = client.post(
        "/api/v1/assets", json={"serial": "SN-1", "opd_code": "DINKES"}, headers=bearer(token)
    )
    assert created.status_code == 201, created.text
    asset = created.json()["id"]
    headers = {**bearer(token), "X-Request-ID": "req-42"}
    assert (
        client.patch(
            f"/api/v1/assets/{asset}", json={"owner": "Seksi Data"}, headers=headers
        ).status_code
        == 200
    )
    rows = client.get(f"/api/v1/assets/{asset}/history").json()["data"]
    assert [(r["action"], r["actor"]) for r in rows][-2:] == [
        ("created", "tik-dinkes"),
        ("updated", "tik-dinkes"),
    ] or [(r["action"], r["actor"]) for r in rows][:2] == [
        ("updated", "tik-dinkes"),
        ("created", "tik-dinkes"),
    ]
    assert any(r["cause_id"] == "request:req-42" for r in rows)
    opd_rows = client.get("/api/v1/opd/DINKES/history").json()["data"]
    assert opd_rows[0]["actor"].startswith("uji-admin"), "the admin token of the fixture"


# --- the command line -------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SPBE, *args], env=env, capture_output=True, text=True, timeout=120)


def _serve_until_ready(env: dict[str, str], port: int) -> tuple[int | None, str, str]:
    """Starts `spbe api`, waits until /healthz answers, stops it. (None when it served, else its
    exit code; stdout; stderr)."""
    process = subprocess.Popen(
        [SPBE, "api"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    served = False
    while time.monotonic() < deadline and process.poll() is None and not served:
        try:
            served = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            time.sleep(0.2)
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    return None if served else process.returncode, out, err


def test_the_first_start_prints_an_admin_password_once(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "SPBE_DATA_DIR": str(tmp_path / "d"), "SPBE_API_PORT": str(port)}
    assert _run(env, "db", "upgrade").returncode == 0
    _, first, err = _serve_until_ready(env, port)
    assert "First start" in first and " admin " in first, first + err
    password = first.strip().splitlines()[-1]
    assert len(password) == 20
    _, second, _ = _serve_until_ready(env, port)
    assert "First start" not in second and password not in second
    listed = _run(env, "users", "list").stdout
    assert listed.startswith("admin\tadmin\tall OPD\tenabled")


@pytest.mark.postgres
def test_production_refuses_to_start_without_an_admin(
    tmp_path: Path, fresh_database_url: str
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "SPBE_ENVIRONMENT": "production",
        "SPBE_BUS": "kafka",
        "SPBE_DATABASE_URL": fresh_database_url,
        "SPBE_DATA_DIR": str(tmp_path),
        "SPBE_API_PORT": str(port),
        "SPBE_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",  # production refuses an open broker
        "SPBE_KAFKA_USERNAME": "inventory",
        "SPBE_KAFKA_PASSWORD": "sandi-uji-yang-panjang",
    }
    assert _run(env, "db", "upgrade").returncode == 0
    code, out, err = _serve_until_ready(env, port)
    assert code == 2, out + err
    assert err.strip() == (
        "error: no admin account: create one first with `spbe users add NAME --role admin`"
    )
    made = _run(env, "users", "add", "kepala-aptika", "--role", "admin")
    assert made.returncode == 0, made.stderr
    assert len(made.stdout.strip().splitlines()[-1]) == 20  # the generated password
    code, out, err = _serve_until_ready(env, port)
    assert code is None, f"it served once an admin exists: {out}{err}"
    assert "First start" not in out


def test_cli_tokens_show_ids_never_tokens_and_revoke_by_id(tmp_path: Path) -> None:
    env = {**os.environ, "SPBE_DATA_DIR": str(tmp_path)}
    assert _run(env, "db", "upgrade").returncode == 0
    assert _run(env, "users", "add", "kolektor", "--role", "collector").returncode == 0
    created = _run(env, "tokens", "create", "kolektor", "--expires-days", "30")
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("spbe_")
    (line,) = _run(env, "tokens", "list").stdout.strip().splitlines()
    token_id, account, _expires, used, state = line.split("\t")
    assert (account, used, state) == ("kolektor", "never used", "live")
    assert token not in line
    assert _run(env, "tokens", "revoke", token_id).returncode == 0
    assert _run(env, "tokens", "list", "kolektor").stdout.rstrip().endswith("revoked")
    again = _run(env, "tokens", "revoke", token_id)
    assert again.returncode == 2 and "no live token" in again.stderr
    refused = _run(env, "users", "add", "op", "--role", "opd_operator")
    assert refused.returncode == 2 and "needs at least one --opd" in refused.stderr


def test_cli_resets_a_forgotten_password_and_enables_an_account_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff have no other way in: `spbe users reset-password` gives a new password (the old
    one and the account's sessions stop working, a lock-out is lifted); `enable` undoes
    `disable`. In process (the commands' Typer app), as `spbe users` runs them."""
    monkeypatch.setenv("SPBE_DATA_DIR", str(tmp_path))
    runner = CliRunner()

    def users(*args: str) -> Result:
        return runner.invoke(inventory_cli.users_app, list(args))

    db = make_engine(InventorySettings(data_dir=tmp_path).db_url)
    migrate.upgrade(db)
    old = users("add", "tik-dinkes", "--role", "viewer").stdout.strip().splitlines()[-1]
    with begin_write(db) as conn:
        session = accounts.sign_in(conn, "tik-dinkes", old, "127.0.0.1")
        assert session is not None
        for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
            accounts.sign_in(conn, "tik-dinkes", "salah", "127.0.0.2")
    reset = users("reset-password", "tik-dinkes")
    assert reset.exit_code == 0, reset.output
    new = reset.stdout.strip().splitlines()[-1]
    assert len(new) == 20 and new != old
    with begin_write(db) as conn:
        assert accounts.principal_of_session(conn, session.secret) is None  # sessions ended
        assert accounts.sign_in(conn, "tik-dinkes", old, "127.0.0.3") is None
        assert accounts.sign_in(conn, "tik-dinkes", new, "127.0.0.3") is not None  # not locked

    assert users("disable", "tik-dinkes").exit_code == 0
    assert "\tdisabled\t" in users("list").stdout
    assert users("enable", "tik-dinkes").exit_code == 0
    assert "tik-dinkes\tviewer\tall OPD\tenabled" in users("list").stdout
    with begin_write(db) as conn:
        assert accounts.sign_in(conn, "tik-dinkes", new, "127.0.0.3") is not None
    for command in ("reset-password", "enable"):
        unknown = users(command, "tidak-ada")
        assert unknown.exit_code == 2 and "no account 'tidak-ada'" in unknown.output
    users("add", "kolektor", "--role", "collector")
    tokens_only = users("reset-password", "kolektor")
    assert tokens_only.exit_code == 2 and "signs in with tokens only" in tokens_only.output
    db.dispose()


def test_no_one_disables_their_own_account_or_the_last_enabled_admin(engine: Engine) -> None:
    grant(engine, Role.ADMIN, name="kepala-aptika")
    grant(engine, Role.ADMIN, name="staf-aptika")
    with begin_write(engine) as conn:
        with pytest.raises(accounts.AccountError) as own:
            accounts.disable(conn, "kepala-aptika", by="kepala-aptika")
        assert own.value.reason is accounts.Refusal.OWN_ACCOUNT
        accounts.disable(conn, "staf-aptika", by="kepala-aptika")
        with pytest.raises(accounts.AccountError) as last:
            accounts.disable(conn, "kepala-aptika")  # the CLI too: no one could enable others
        assert last.value.reason is accounts.Refusal.LAST_ADMIN
        assert accounts_repo.count_admins(conn) == 1
        accounts.disable(conn, "staf-aptika")  # already disabled: not the last enabled one
        accounts.enable(conn, "staf-aptika")
        accounts.disable(conn, "kepala-aptika", by="staf-aptika")
        assert accounts_repo.count_admins(conn) == 1


def test_a_disabled_accounts_sessions_end_for_good(engine: Engine) -> None:
    password = _person(engine, "pindah-tugas", Role.VIEWER)
    with begin_write(engine) as conn:
        session = accounts.sign_in(conn, "pindah-tugas", password, "127.0.0.1")
        assert session is not None
        accounts.disable(conn, "pindah-tugas")
        accounts.enable(conn, "pindah-tugas")
        assert accounts.principal_of_session(conn, session.secret) is None
