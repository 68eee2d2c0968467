"""Searching an asset by its address: a whole IPv4 address finds that address only; its beginning
is an index range that finds exactly the addresses that start with it, on SQLite and on
PostgreSQL (whose collation may ignore the dots when it orders text)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from spbe_common.auth import Principal, Role
from spbe_inventory import migrate
from spbe_inventory.assets import repository as repo
from spbe_inventory.db import make_engine
from spbe_inventory.listing_repository import Page

ADDRESSES = [
    "10.1.2.3", "10.1.2.30", "10.1.20.3", "10.1.3.1", "10.19.0.1", "10.2.0.1", "10.9.9.9",
    "10.90.1.1", "10.99.0.1", "11.0.0.1", "110.1.2.3", "9.10.1.2", "99.99.99.99", "210.1.2.3",
]  # fmt: skip
QUERIES = [
    "10.1",
    "10.1.",
    "10.1.2",
    "10.1.2.3",
    "10.9",
    "10.99.",
    "99.99",
    "9.",
    "1.2.3",
    "10.1.2.300",
]
ADMIN = Principal("uji", Role.ADMIN, None)


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    url = (
        f"sqlite:///{tmp_path}/inv.db"
        if request.param == "sqlite"
        else request.getfixturevalue("fresh_database_url")
    )
    engine = make_engine(url)
    migrate.upgrade(engine)
    rows = [{"address": a, "addresses": [a], "name": f"Aset {i}", "kind": "server",
             "lifecycle": "active", "identity_rule": "address", "observed": {}, "declared": {},
             "is_sample": False} for i, a in enumerate(ADDRESSES)]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(repo.ASSET), rows)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("q", QUERIES)
def test_an_address_or_its_beginning_finds_exactly_the_addresses_that_start_with_it(
    engine: Engine, q: str
) -> None:
    with engine.connect() as conn:
        rows, count = repo.page_of(conn, ADMIN, Page(100, 0, None), {}, q)
    found = sorted(row["address"] for row in rows)
    whole = q.count(".") == 3 and not q.endswith(".")  # 10.1.2.3 is that host, not 10.1.2.30
    assert found == sorted(a for a in ADDRESSES if (a == q if whole else a.startswith(q))), q
    assert count == len(found)


def test_other_text_is_still_a_substring_search(engine: Engine) -> None:
    with engine.connect() as conn:
        rows, _ = repo.page_of(conn, ADMIN, Page(100, 0, None), {}, "aset 1")
    assert {row["name"] for row in rows} == {f"Aset {i}" for i in (1, 10, 11, 12, 13)}
