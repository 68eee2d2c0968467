"""The asset list's fast path (issue 15): keyset pages, rows written as JSON by the database,
counts and verified tokens remembered only until something is committed.

On SQLite (the catalogue file of `spbe up`) and PostgreSQL; a few dozen rows, seconds."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from asset_rows import MINE, OTHER, asset, fill
from fastapi.testclient import TestClient
from harness import bearer, grant, migrated_engine
from sqlalchemy import Engine, insert, select, update

from spbe_common.auth import Principal, Role, digest
from spbe_common.db import begin_write
from spbe_inventory import migrate
from spbe_inventory.accounts import repository as accounts_repo
from spbe_inventory.accounts import service as accounts
from spbe_inventory.api.app import create_app
from spbe_inventory.assets import repository as assets_repo
from spbe_inventory.assets.repository import ASSET
from spbe_inventory.db import commit_watch, make_engine
from spbe_inventory.listing_repository import ASSETS, Page, asset_conditions
from spbe_inventory.settings import InventorySettings


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = migrated_engine(tmp_path / "inv.db")
    else:
        engine = make_engine(request.getfixturevalue("fresh_database_url"))
        migrate.upgrade(engine)
    fill(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def operator(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(InventorySettings(data_dir=tmp_path), engine)
    headers = bearer(grant(engine, Role.OPD_OPERATOR, [MINE]))
    with TestClient(app, raise_server_exceptions=False, headers=headers) as client:
        yield client


def mine(engine: Engine) -> list[dict[str, Any]]:
    """The operator's assets as the typed path (SQLAlchemy with result processing) reads them."""
    principal = Principal("t", Role.OPD_OPERATOR, frozenset({MINE}))
    with engine.connect() as conn:
        rows, _ = assets_repo.page_of(conn, principal, Page(500, 0, None), {})
    return list(orjson.loads(orjson.dumps(rows)))


def walk(client: TestClient, query: str) -> tuple[list[dict[str, Any]], set[int]]:
    rows: list[dict[str, Any]] = []
    counts = set()
    cursor = ""
    for _ in range(20):
        response = client.get(f"/api/v1/assets?{query}{cursor}")
        assert response.status_code == 200, response.text
        assert set(response.json()) == {"data", "count"}
        rows += response.json()["data"]
        counts.add(response.json()["count"])
        following = response.headers.get("x-next-cursor")
        if following is None:
            return rows, counts
        cursor = f"&cursor={following}"
    raise AssertionError("the cursor never ended")


def test_cursor_pages_walk_the_scope_once_and_equal_the_typed_rows(
    engine: Engine, operator: TestClient
) -> None:
    expected = mine(engine)
    assert len(expected) == 26  # OPD-B's assets are outside the operator's scope
    rows, counts = walk(operator, "limit=7")
    assert rows == expected  # every column, as JSON, exactly as the typed path writes it
    assert counts == {26}  # the count of all that match, on every page
    rows, _ = walk(operator, "limit=5&sort=-id")
    assert [r["id"] for r in rows] == [r["id"] for r in reversed(expected)]
    active = [r["id"] for r in expected if r["lifecycle"] == "active"]
    rows, counts = walk(operator, "limit=4&lifecycle=active")
    assert [r["id"] for r in rows] == active and counts == {len(active)}
    page = operator.get("/api/v1/assets?limit=6&offset=6").json()["data"]
    after = operator.get(f"/api/v1/assets?limit=6&cursor={expected[5]['id']}").json()["data"]
    assert page == after == expected[6:12]  # offsets keep working; a cursor lands alike


def test_a_cursor_needs_the_id_order_and_a_valid_number(operator: TestClient) -> None:
    refused = operator.get("/api/v1/assets?cursor=3&sort=name")
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["query", "cursor"]
    for bad in ("cursor=-1", "cursor=x", "limit=0", "limit=501", "kind=toaster"):
        response = operator.get(f"/api/v1/assets?{bad}")
        assert response.status_code == 422, bad
        assert response.json()["detail"][0]["loc"][0] == "query"
    assert "x-next-cursor" not in operator.get("/api/v1/assets?sort=name&limit=3").headers


def test_the_count_follows_every_commit(engine: Engine, operator: TestClient) -> None:
    assert operator.get("/api/v1/assets?limit=1").json()["count"] == 26
    assert operator.get("/api/v1/assets?limit=1").json()["count"] == 26  # remembered (SQLite)
    with begin_write(engine) as conn:
        conn.execute(insert(ASSET), [{**asset(100), "opd_code": MINE}])
    assert operator.get("/api/v1/assets?limit=1").json()["count"] == 27
    with begin_write(engine) as conn:
        conn.execute(update(ASSET).where(ASSET.c.opd_code == MINE).values(opd_code=OTHER))
    assert operator.get("/api/v1/assets?limit=1").json() == {"data": [], "count": 0}


def test_a_remembered_token_is_refused_once_revoked_by_any_connection(
    tmp_path: Path,
) -> None:
    """A verified token is remembered (SQLite) under its digest, never itself; a revocation,
    committed through any connection (the CLI is another process), is in force at once."""
    engine = migrated_engine(tmp_path / "inv.db")
    fill(engine)
    app = create_app(InventorySettings(data_dir=tmp_path), engine)
    token = grant(engine, Role.VIEWER, name="pembaca")
    with TestClient(app, headers=bearer(token)) as client:
        assert client.get("/api/v1/assets").status_code == 200  # its first use is recorded
        assert client.get("/api/v1/assets").status_code == 200
        watch = commit_watch(engine)
        assert watch is not None
        assert watch.recall(("token", digest(token)), watch.mark()) is not None
        assert token not in repr(watch._memo)
        with engine.connect() as conn:
            (listed,) = accounts_repo.tokens(conn, "pembaca")
        with begin_write(engine) as conn:
            accounts.revoke_token(conn, listed["id"])
        assert client.get("/api/v1/assets").status_code == 401

        second = grant(engine, Role.VIEWER, name="pembaca-2")
        assert client.get("/api/v1/assets", headers=bearer(second)).status_code == 200
        with sqlite3.connect(tmp_path / "inv.db") as other:  # another connection, as the CLI is
            other.execute("UPDATE api_token SET revoked_at = '2026-01-01 00:00:00.000000'")
        assert client.get("/api/v1/assets", headers=bearer(second)).status_code == 401
    engine.dispose()


def test_rows_made_once_follow_every_commit(
    engine: Engine, operator: TestClient, tmp_path: Path
) -> None:
    """On SQLite a row's JSON is made once and reused until anything is committed, through any
    connection; on PostgreSQL every page reads its rows."""
    first = operator.get("/api/v1/assets?limit=3").json()["data"]
    assert operator.get("/api/v1/assets?limit=3").json()["data"] == first
    watch = commit_watch(engine)
    if watch is not None:  # remembered under the mark they were read at
        assert set(watch.rows(ASSETS.memo_key, watch.mark())) == {row["id"] for row in first}
    renamed = first[1]["id"]
    with begin_write(engine) as conn:
        conn.execute(update(ASSET).where(ASSET.c.id == renamed).values(name="Baru"))
    again = operator.get("/api/v1/assets?limit=3").json()["data"]
    assert [row["name"] for row in again] == [first[0]["name"], "Baru", first[2]["name"]]
    if watch is not None:
        with sqlite3.connect(tmp_path / "inv.db") as other:  # another process, as the CLI is
            other.execute("UPDATE asset SET hostname = 'lain.test' WHERE id = ?", (renamed,))
        assert operator.get("/api/v1/assets?limit=3").json()["data"][1]["hostname"] == "lain.test"
    expected = mine(engine)
    assert operator.get("/api/v1/assets?limit=3").json()["data"] == expected[:3]
    # three rows remembered, the other three of this page made by id, in the page's order
    assert operator.get("/api/v1/assets?limit=6&sort=-id").json()["data"] == expected[::-1][:6]
    assert operator.get("/api/v1/assets?limit=6").json()["data"] == expected[:6]


def test_nothing_is_remembered_in_a_snapshot_the_caller_began(tmp_path: Path) -> None:
    """A page read inside a transaction that already read something sees that older snapshot,
    rightly for its caller; what it read must not be remembered for anyone else (SQLite: on
    PostgreSQL nothing is remembered)."""
    engine = migrated_engine(tmp_path / "inv.db")
    fill(engine)
    watch = commit_watch(engine)
    assert watch is not None
    principal = Principal("t", Role.OPD_OPERATOR, frozenset({MINE}))
    first_id = mine(engine)[0]["id"]
    with engine.begin() as conn:
        conn.execute(select(ASSET.c.name).where(ASSET.c.id == first_id)).all()  # snapshot fixed
        with sqlite3.connect(tmp_path / "inv.db") as other:
            other.execute("UPDATE asset SET name = 'Sesudah' WHERE id = ?", (first_id,))
        found = ASSETS.page(conn, asset_conditions(principal, {}, None), Page(3, 0, None))
        assert orjson.loads(found.data)[0]["name"] != "Sesudah"  # the caller's own snapshot
    assert watch.rows(ASSETS.memo_key, watch.mark()) == {}
    app = create_app(InventorySettings(data_dir=tmp_path), engine)
    token = grant(engine, Role.OPD_OPERATOR, [MINE])
    with TestClient(app, headers=bearer(token)) as client:
        assert client.get("/api/v1/assets?limit=3").json()["data"][0]["name"] == "Sesudah"
    engine.dispose()
