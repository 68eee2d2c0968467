"""The database goes away under a running consumer: every batch fails, is rolled back and retried
with backoff, no offset is committed meanwhile, and once the database is back it catches up to
the catalogue of an undisturbed run."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager

from integration.kafka.conftest import MakeInventory
from integration.kafka.stack import (
    BackgroundConsumer,
    KafkaInventory,
    caught_up,
    committed,
    consume_until_caught_up,
    duplicate_history,
    end_offsets,
    publish_all,
    stable_snapshot,
    wait_until,
)
from integration.outage import database_refusing_connections
from prometheus_client import CollectorRegistry
from synthetic import scan_stream

from spbe_inventory.ingest.metrics import IngestMetrics

PROCESSED = "SELECT count(*) FROM processed_event"


def database_down(inventory: KafkaInventory) -> AbstractContextManager[None]:
    """The consumer's database refuses connections and its open sessions are cut."""
    return database_refusing_connections(str(inventory.settings.database_url))


def test_database_outage_is_retried_without_committing_then_caught_up(
    make_inventory: MakeInventory, kafka_bootstrap: str
) -> None:
    victim = make_inventory("victim", batch_size=50)
    reference = make_inventory("reference")
    events = list(scan_stream(scopes=4, hosts=300, scans=3, absent_every=9))
    half = len(events) // 2
    registry = CollectorRegistry()
    metrics = IngestMetrics(registry)

    def failures() -> float:
        return registry.get_sample_value("spbe_inventory_batch_failures_total") or 0.0

    loop = BackgroundConsumer(victim.consumer(metrics=metrics))
    publish_all(victim.bus, events[:half])
    wait_until(lambda: victim.count(PROCESSED) >= half // 3, 60, "the consumer to start folding")

    with database_down(victim):
        time.sleep(1.0)  # a batch that committed just before the cut may still commit its offsets
        offsets_at_cut = committed(kafka_bootstrap, victim.group, victim.events_topic)
        publish_all(victim.bus, events[half:])  # the stream goes on during the outage
        wait_until(lambda: failures() >= 3, 30, "three failed batches")
        assert loop.alive()
        assert committed(kafka_bootstrap, victim.group, victim.events_topic) == offsets_at_cut
    target = end_offsets(kafka_bootstrap, victim.events_topic)

    wait_until(
        lambda: (
            loop.alive() and caught_up(kafka_bootstrap, victim.group, victim.events_topic, target)
        ),
        120,
        "the consumer to catch up once the database is back",
    )
    loop.join()
    consume_until_caught_up(reference, reference.consumer(), target)

    assert victim.count(PROCESSED) == len(events)
    assert duplicate_history(victim.engine) == []
    assert stable_snapshot(victim.engine) == stable_snapshot(reference.engine)
