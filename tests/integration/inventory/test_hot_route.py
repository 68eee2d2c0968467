"""GET /api/v1/assets answered ahead of the router (`spbe_inventory.api.hot`, issue 15): once
the router has matched it, the asset list is answered without route matching and dependency
solving, with the same authorisation, scope, answers and metrics; every request that does not
end in a plain answer goes through the router and gets its usual error.

The real app on a SQLite catalogue file; seconds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from asset_rows import MINE, OTHER, fill
from fastapi.testclient import TestClient
from harness import bearer, grant, migrated_engine
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from starlette.types import ASGIApp, Receive, Scope, Send

from spbe_common.auth import Role
from spbe_inventory.api.app import create_app
from spbe_inventory.api.hot import HotRoutes
from spbe_inventory.settings import InventorySettings

QUERIES = (
    "",
    "limit=3",
    "limit=4&lifecycle=active&sort=-id",
    f"opd_code={MINE}&kind=server",
    f"opd_code={OTHER}",  # outside the operator's scope: nothing
    "q=host-01&sort=hostname",
    "q=127.80.0.&limit=5&offset=2",
)
REFUSED = (  # (query, headers, status)
    ("limit=0", None, 422),
    ("cursor=3&sort=name", None, 422),
    ("sort=password", None, 422),
    ("kind=toaster", None, 422),
    ("", {"Authorization": "Bearer spbe_not-a-token"}, 401),
    ("", {"Authorization": "Basic eDp5"}, 401),
)


class RouterCalls:
    """Counts the requests that HotRoutes hands on to the router (the app inside it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.paths: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.paths.append(scope["path"])
        await self.app(scope, receive, send)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = migrated_engine(tmp_path / "inv.db")
    fill(engine)
    yield engine
    engine.dispose()


Clients = Callable[..., tuple[TestClient, RouterCalls]]


@pytest.fixture
def client_of(engine: Engine, tmp_path: Path) -> Iterator[Clients]:
    """Makes a client of a new app, and the requests its HotRoutes handed on to the router (all
    of them when it may not `learn` a route: the reference answers); closed after the test."""
    with ExitStack() as stack:

        def make(token: str, learn: bool = True) -> tuple[TestClient, RouterCalls]:
            app = create_app(InventorySettings(data_dir=tmp_path), engine)
            client = TestClient(app, raise_server_exceptions=False, headers=bearer(token))
            stack.enter_context(client)
            layer: Any = app.middleware_stack or app.build_middleware_stack()
            app.middleware_stack = layer
            while not isinstance(layer, HotRoutes):
                layer = layer.app
            calls = RouterCalls(layer.app)
            layer.app = calls
            if not learn:
                layer._learn = lambda path, route: None
            return client, calls

        yield make


def answer(response: Any) -> tuple[int, bytes, str | None, str | None]:
    headers = response.headers
    return (response.status_code, response.content, headers.get("content-type"),
            headers.get("x-next-cursor"))  # fmt: skip


def test_answers_equal_the_routers_and_skip_it(engine: Engine, client_of: Clients) -> None:
    token = grant(engine, Role.OPD_OPERATOR, [MINE])
    routed, routed_calls = client_of(token, learn=False)
    hot, hot_calls = client_of(token)
    assert hot.get("/api/v1/assets?limit=1").status_code == 200  # the router's first match
    assert hot_calls.paths == ["/api/v1/assets"]
    for query in QUERIES:
        expected = answer(routed.get(f"/api/v1/assets?{query}"))
        got = answer(hot.get(f"/api/v1/assets?{query}"))
        assert got == expected, query
        assert expected[0] == 200 and expected[1].startswith(b'{"data":')
    assert hot_calls.paths == ["/api/v1/assets"]  # none went through the router again
    assert len(routed_calls.paths) == len(QUERIES)  # the reference went through it each time
    assert hot.get(f"/api/v1/assets?opd_code={OTHER}").json() == {"data": [], "count": 0}
    cursor = hot.get("/api/v1/assets?limit=3").headers["x-next-cursor"]
    assert hot.get(f"/api/v1/assets?limit=3&cursor={cursor}").status_code == 200
    assert hot_calls.paths == ["/api/v1/assets"]


def test_refusals_go_through_the_router_with_its_answers(
    engine: Engine, client_of: Clients
) -> None:
    token = grant(engine, Role.OPD_OPERATOR, [MINE])
    client, calls = client_of(token)
    assert client.get("/api/v1/assets").status_code == 200
    for query, headers, status in REFUSED:
        before = len(calls.paths)
        response = client.get(f"/api/v1/assets?{query}", headers=headers)
        assert response.status_code == status, (query, response.text)
        assert len(calls.paths) == before + 1, query  # answered by the router
        detail = response.json()["detail"]
        if status == 422:
            assert detail[0]["loc"][0] == "query", detail
        else:
            assert response.headers["www-authenticate"] == "Bearer"

    collector = grant(engine, Role.COLLECTOR, name="kolektor")  # may not read the catalogue
    client, calls = client_of(collector)
    for _ in range(2):
        response = client.get("/api/v1/assets")
        assert response.status_code == 403 and "may not" in response.json()["detail"]
    assert len(calls.paths) == 2
    anonymous, calls = client_of("")
    anonymous.headers.pop("authorization")
    for _ in range(2):
        assert anonymous.get("/api/v1/assets").status_code == 401
    assert len(calls.paths) == 2


def test_metrics_count_hot_answers_under_the_route(engine: Engine, client_of: Clients) -> None:
    client, calls = client_of(grant(engine, Role.VIEWER, [MINE]))
    for _ in range(5):
        assert client.get("/api/v1/assets?limit=2").status_code == 200
    assert client.get("/api/v1/assets?limit=0").status_code == 422
    assert calls.paths.count("/api/v1/assets") == 2  # the first match and the refusal
    text = client.get("/metrics").text
    line = 'route="/api/v1/assets",service="inventory",status="200"'
    assert any(line in row and row.endswith(" 5.0") for row in text.splitlines()), text


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (OperationalError("SELECT 1", {}, Exception("database is locked")), 503),
        (RuntimeError("a bug"), 500),
    ],
)
def test_a_failure_is_answered_once_by_the_apps_handlers(
    engine: Engine,
    client_of: Clients,
    monkeypatch: pytest.MonkeyPatch,
    error: Exception,
    status: int,
) -> None:
    """Not a refusal: not tried again through the router (a database that keeps a reader
    waiting would keep it waiting twice); the app's handler answers, as on the router's way."""
    attempts = []

    async def failing(request: Any) -> Any:
        attempts.append(request.url.path)
        raise error

    monkeypatch.setattr("spbe_inventory.api.app.asset_list", failing)  # the hot path's answer
    client, calls = client_of(grant(engine, Role.VIEWER, [MINE]))
    assert client.get("/api/v1/assets").status_code == 200  # the router's own route, learned
    response = client.get("/api/v1/assets")
    assert response.status_code == status
    assert "detail" in response.json()
    if status == 503:
        assert response.headers["retry-after"] == "5"
    assert (attempts, calls.paths) == (["/api/v1/assets"], ["/api/v1/assets"])
    metrics = client.get("/metrics").text
    assert f'route="/api/v1/assets",service="inventory",status="{status}"' in metrics
