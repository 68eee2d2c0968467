"""The merge form's suggestions (Tinjauan): per OPD, the assets a discovered host may be merged
into, on SQLite and PostgreSQL (a window function numbers them per OPD)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from harness import migrated_engine
from sqlalchemy import Engine, select
from synthetic import register_opd

from spbe_common.auth import Principal, Role
from spbe_common.bus import Record
from spbe_common.events import EventType, new_event, to_binary
from spbe_common.events.enums import AssetKind, Lifecycle
from spbe_common.events.payloads import AssetDeclared
from spbe_inventory import migrate
from spbe_inventory.assets.repository import ASSET
from spbe_inventory.db import make_engine
from spbe_inventory.ingest.service import ingest
from spbe_inventory.review import repository as review_repo
from spbe_inventory.review.repository import REVIEW

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
MINE, OTHER = "OPD-A", "OPD-B"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = migrated_engine(tmp_path / "inv.db")
    else:
        engine = make_engine(request.getfixturevalue("fresh_database_url"))
        migrate.upgrade(engine)
    register_opd(engine, [MINE, OTHER])
    yield engine
    engine.dispose()


def declare(engine: Engine, *declared: AssetDeclared) -> dict[str, int]:
    events = [new_event(EventType.ASSET_DECLARED, d, source="spbe-test", time=T0) for d in declared]
    records = [Record("t", 0, n, e.key(), *reversed(to_binary(e))) for n, e in enumerate(events)]
    with engine.begin() as conn:
        ingest(conn, records)
        return dict(conn.execute(select(ASSET.c.name, ASSET.c.id)).all())  # type: ignore[arg-type]


def test_suggestions_per_opd_unidentified_first_without_queued_or_retired(engine: Engine) -> None:
    ids = declare(
        engine,
        AssetDeclared(opd=MINE, name="Switch inti", addresses=["127.20.0.2"]),
        AssetDeclared(opd=MINE, name="UPS", kind=AssetKind.OTHER, asset_code="02.06.01.001"),
        AssetDeclared(opd=MINE, name="Access point", mac="02:00:5E:20:00:03"),
        AssetDeclared(opd=MINE, name="Router lama", asset_code="9", lifecycle=Lifecycle.RETIRED),
        AssetDeclared(opd=MINE, name="Host temuan", addresses=["127.20.0.9"]),
        AssetDeclared(opd=OTHER, name="Server B", addresses=["127.21.0.2"]),
    )
    with engine.begin() as conn:  # as a scan's discovery waits in the queue
        conn.execute(REVIEW.insert().values(
            asset_id=ids["Host temuan"], state="unreviewed", discovered_at=T0))  # fmt: skip
    operator = Principal("t", Role.OPD_OPERATOR, frozenset({MINE}))
    with engine.connect() as conn:
        found = review_repo.merge_targets(conn, operator, [MINE, OTHER])
        everyone = review_repo.merge_targets(conn, Principal("a", Role.ADMIN, None), [OTHER])
        none = review_repo.merge_targets(conn, operator, [])
    names = [row["name"] for row in found[MINE]]
    assert names == ["UPS", "Access point", "Switch inti"]  # no MAC nor address first, then names
    assert found[MINE][0]["asset_code"] == "02.06.01.001"
    assert found[OTHER] == []  # outside the operator's scope
    assert [row["name"] for row in everyone[OTHER]] == ["Server B"]
    assert none == {}
