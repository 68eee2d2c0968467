"""Fixtures of the web page tests: the sample catalogue of Kabupaten Serang in a migrated SQLite
file, the real app, and TestClients signed in with a session cookie as a browser is.

`browser(role, opd)` gives a client whose `csrf` attribute is the token a page's form sends."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from harness import migrated_engine, web_session
from sqlalchemy import Engine

from spbe_common.auth import Role
from spbe_common.db import begin_write
from spbe_inventory.api.app import create_app
from spbe_inventory.api.security import SESSION_COOKIE
from spbe_inventory.sample.service import load_sample
from spbe_inventory.settings import InventorySettings


class Browser(TestClient):
    csrf: str = ""


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """The sample catalogue (Kabupaten Serang's OPD, applications, fictional servers)."""
    engine = migrated_engine(tmp_path / "inv.db")
    with begin_write(engine) as conn:
        load_sample(conn)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> InventorySettings:
    return InventorySettings(data_dir=tmp_path)


@pytest.fixture
def browser(settings: InventorySettings, engine: Engine) -> Iterator[Callable[..., Browser]]:
    """browser(role=Role.ADMIN, opd=()) -> a signed-in client; browser(None) -> signed out."""
    app = create_app(settings, engine)
    clients: list[Browser] = []

    def make(role: Role | None = Role.ADMIN, opd: Sequence[str] = ()) -> Browser:
        client = Browser(app, raise_server_exceptions=True, follow_redirects=False)
        if role is not None:
            secret, csrf = web_session(engine, role, opd)
            client.cookies.set(SESSION_COOKIE, secret)
            client.csrf = csrf
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
