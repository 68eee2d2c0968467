"""A scorer wired to a real inventory API served in-process (sample data, migrated SQLite) and
to an embedded event log, all in tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from integration.scorer.scoring_harness import ScoringHarness, scorer_settings
from prometheus_client import CollectorRegistry

from spbe_common.bus import EmbeddedBus
from spbe_inventory import migrate as inventory_migrate
from spbe_inventory.api.app import create_app as create_inventory_app
from spbe_inventory.db import make_engine as make_inventory_engine
from spbe_inventory.sample.service import load_sample
from spbe_inventory.settings import InventorySettings
from spbe_scorer.api.app import create_app
from spbe_scorer.runtime import build_runtime


@pytest.fixture
def inventory_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = InventorySettings(_env_file=None, data_dir=tmp_path / "inventory")
    engine = make_inventory_engine(settings.db_url)
    inventory_migrate.upgrade(engine)
    with engine.begin() as conn:
        load_sample(conn)
    with TestClient(create_inventory_app(settings, engine)) as client:
        yield client
    engine.dispose()


@pytest.fixture
def scoring(tmp_path: Path, inventory_client: TestClient) -> Iterator[ScoringHarness]:
    settings = scorer_settings(tmp_path)
    runtime = build_runtime(settings, inventory=inventory_client, registry=CollectorRegistry())
    api = TestClient(create_app(settings, runtime.scorer, runtime.registry))
    yield ScoringHarness(inventory_client, runtime, api, EmbeddedBus(settings.log_path))
    if runtime.scorer.producer is not None:
        runtime.scorer.producer.close()
    runtime.scorer.engine.dispose()  # the inventory client is closed by its own fixture


@pytest.fixture(params=["sqlite", "postgresql"])
def scorer_api(
    request: pytest.FixtureRequest, tmp_path: Path, inventory_client: TestClient
) -> Iterator[TestClient]:
    """The scorer API on its default SQLite and on the real PostgreSQL server; server errors are
    answered (500), not raised into the test, so a test sees what a client would."""
    settings = scorer_settings(tmp_path)
    if request.param == "postgresql":
        url = request.getfixturevalue("fresh_database_url")
        settings = settings.model_copy(update={"scorer_database_url": url})
    runtime = build_runtime(
        settings, inventory=inventory_client, registry=CollectorRegistry(), publish=False
    )
    app = create_app(settings, runtime.scorer, runtime.registry)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    runtime.scorer.engine.dispose()
