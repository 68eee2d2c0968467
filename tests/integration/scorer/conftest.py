"""A scorer wired to a real inventory API served in-process (sample data, migrated SQLite, with
accounts and tokens) and to an embedded event log, all in tmp_path.

The scorer reads the inventory as its service account (role `scorer`); its API is called with
an admin's token unless a test says otherwise (`ScoringHarness.token` makes others)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from harness import bearer, grant, migrated_engine
from integration.scorer.scoring_harness import (
    Clock,
    ScoringHarness,
    scorer_settings,
)
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from spbe_common.auth import Role
from spbe_inventory.accounts import service as accounts
from spbe_inventory.api.app import create_app as create_inventory_app
from spbe_inventory.sample.service import load_sample
from spbe_inventory.settings import InventorySettings
from spbe_scorer.api.app import create_app
from spbe_scorer.runtime import build_runtime


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests sign in with tokens only; at its real cost argon2 hashing each test account's
    generated password would take most of their time."""
    monkeypatch.setattr(
        accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def inventory_engine(tmp_path: Path) -> Iterator[Engine]:
    settings = InventorySettings(_env_file=None, data_dir=tmp_path / "inventory")
    engine = migrated_engine(settings.data_dir / "inventory.db")
    with engine.begin() as conn:
        load_sample(conn)
    yield engine
    engine.dispose()


@pytest.fixture
def inventory_app(tmp_path: Path, inventory_engine: Engine) -> FastAPI:
    settings = InventorySettings(_env_file=None, data_dir=tmp_path / "inventory")
    return create_inventory_app(settings, inventory_engine)


@pytest.fixture
def admin_token(inventory_engine: Engine) -> str:
    return grant(inventory_engine, Role.ADMIN)


@pytest.fixture
def inventory_client(inventory_app: FastAPI, admin_token: str) -> Iterator[TestClient]:
    """The inventory API as an admin: what tests use to declare the catalogue."""
    with TestClient(inventory_app, headers=bearer(admin_token)) as client:
        yield client


@pytest.fixture
def scorer_token(inventory_engine: Engine) -> str:
    """The token of the scorer's service account (SPBE_INVENTORY_TOKEN)."""
    return grant(inventory_engine, Role.SCORER, name="scorer")


@pytest.fixture
def as_scorer(inventory_app: FastAPI, scorer_token: str) -> Iterator[TestClient]:
    """The inventory API as the scorer reads it: with its service token."""
    with TestClient(inventory_app, headers=bearer(scorer_token)) as client:
        yield client


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def scoring(
    tmp_path: Path,
    inventory_client: TestClient,
    as_scorer: TestClient,
    inventory_engine: Engine,
    admin_token: str,
    clock: Clock,
) -> Iterator[ScoringHarness]:
    settings = scorer_settings(tmp_path)
    runtime = build_runtime(settings, inventory=as_scorer, registry=CollectorRegistry())
    app = create_app(settings, runtime.scorer, runtime.registry, clock=clock)
    api = TestClient(app, headers=bearer(admin_token))
    yield ScoringHarness(inventory_client, runtime, api, settings, inventory_engine)
    if runtime.scorer.producer is not None:
        runtime.scorer.producer.close()
    runtime.scorer.engine.dispose()  # the inventory clients are closed by their own fixtures


@pytest.fixture(params=["sqlite", "postgresql"])
def scorer_api(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    as_scorer: TestClient,
    admin_token: str,
) -> Iterator[TestClient]:
    """The scorer API (as an admin) on its default SQLite and on the real PostgreSQL server;
    server errors are answered (500), not raised into the test, so a test sees what a client
    would."""
    settings = scorer_settings(tmp_path)
    if request.param == "postgresql":
        url = request.getfixturevalue("fresh_database_url")
        settings = settings.model_copy(update={"scorer_database_url": url})
    runtime = build_runtime(
        settings, inventory=as_scorer, registry=CollectorRegistry(), publish=False
    )
    app = create_app(settings, runtime.scorer, runtime.registry)
    headers = bearer(admin_token)
    with TestClient(app, raise_server_exceptions=False, headers=headers) as client:
        yield client
    runtime.scorer.engine.dispose()
