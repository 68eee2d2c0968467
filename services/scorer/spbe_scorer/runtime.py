"""Wiring built at start-up from one ScorerSettings: database (migrated), bus producer, inventory
client, metrics registry. The CLI, the API and the schedule all start from here."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from spbe_common.bus import make_bus
from spbe_common.events import Topic
from spbe_scorer import migrate
from spbe_scorer.db import make_engine
from spbe_scorer.inventory import make_inventory_client
from spbe_scorer.metrics import IndexCollector, ScorerMetrics
from spbe_scorer.runs.service import Scorer
from spbe_scorer.settings import ScorerSettings


def open_database(settings: ScorerSettings) -> Engine:
    """The scorer's database, brought to the newest migration (it owns its schema)."""
    engine = make_engine(settings.db_url)
    migrate.upgrade(engine)
    return engine


@dataclass
class Runtime:
    settings: ScorerSettings
    registry: CollectorRegistry
    scorer: Scorer

    def close(self) -> None:
        if self.scorer.producer is not None:
            self.scorer.producer.close()
        self.scorer.inventory.close()
        self.scorer.engine.dispose()


def build_runtime(
    settings: ScorerSettings,
    *,
    inventory: httpx.Client | None = None,
    registry: CollectorRegistry | None = None,
    publish: bool = True,
) -> Runtime:
    """`inventory`: a ready client (tests pass a TestClient of the inventory app)."""
    registry = registry or CollectorRegistry()
    producer = None
    if publish:
        bus = make_bus(settings)
        bus.ensure_topics([Topic.SCORES.value])
        producer = bus.producer()
    engine = open_database(settings)
    registry.register(IndexCollector(engine))
    scorer = Scorer(
        settings=settings,
        engine=engine,
        inventory=inventory or make_inventory_client(settings),
        metrics=ScorerMetrics(registry),
        producer=producer,
    )
    return Runtime(settings, registry, scorer)
