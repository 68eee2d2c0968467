"""The database goes away under a running consumer: every batch fails, is rolled back and retried
with backoff, no offset is committed meanwhile, and once the database is back it catches up to
the catalogue of an undisturbed run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

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
from prometheus_client import CollectorRegistry
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from synthetic import scan_stream

from spbe_inventory.ingest.metrics import IngestMetrics

PROCESSED = "SELECT count(*) FROM processed_event"


@contextmanager
def database_down(inventory: KafkaInventory) -> Iterator[None]:
    """The consumer's database refuses connections and its open sessions are cut: an outage of
    that database alone on the shared server (stopping the server would hit the other tests)."""
    url = make_url(str(inventory.settings.database_url))
    name = url.database
    admin = create_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
        conn.execute(
            text(  # the consumer's sessions, not an autovacuum worker (ours to end, not theirs)
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :d AND usename = current_user AND pid <> pg_backend_pid()"
            ),
            {"d": name},
        )
    try:
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
        admin.dispose()


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
