"""The broker stopped and restarted mid-stream, while a producer publishes and the consumer folds:
the end state is exactly the catalogue of an undisturbed run, no history row twice.

Stops the shared broker for about 15 s: other Kafka tests running at that moment would fail, so it
is marked `serial` and `make test` runs it alone, before the parallel run.
"""

from __future__ import annotations

import threading
import time

import pytest
from integration.kafka.conftest import MakeInventory
from integration.kafka.stack import (
    BackgroundConsumer,
    caught_up,
    consume_until_caught_up,
    duplicate_history,
    end_offsets,
    publish_all,
    stable_snapshot,
    start_broker,
    stop_broker,
    wait_until,
)
from kafka.errors import KafkaError
from synthetic import scan_stream

from spbe_common.bus.kafka import KafkaBus
from spbe_common.events import Event

pytestmark = pytest.mark.serial

PROCESSED = "SELECT count(*) FROM processed_event"
CHUNK = 300
RETRY_FOR_S = 240


def publish_with_retries(
    bus: KafkaBus, events: list[Event], done: threading.Event, errors: list[BaseException]
) -> None:
    """A producer that re-sends a chunk whose delivery was not confirmed (at-least-once).

    Any Kafka error while the broker is away (a refused connection when the producer is made, a
    metadata timeout, an unconfirmed flush) means: wait a moment and send the chunk again, for up
    to RETRY_FOR_S per chunk. An error that outlasts that is kept for the test to report.
    """
    try:
        for start in range(0, len(events), CHUNK):
            deadline = time.monotonic() + RETRY_FOR_S
            while True:
                try:
                    publish_all(bus, events[start : start + CHUNK])
                    break
                except KafkaError:  # DeliveryFailed, NoBrokersAvailable, KafkaTimeoutError
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(1)
        done.set()
    except BaseException as exc:  # any end of the thread is reported by the test
        errors.append(exc)


def test_broker_restart_mid_stream_gives_the_undisturbed_catalogue(
    make_inventory: MakeInventory, kafka_bootstrap: str
) -> None:
    disturbed = make_inventory("disturbed", batch_size=50)
    reference = make_inventory("reference")
    events = list(scan_stream(scopes=4, hosts=250, scans=4, absent_every=10, partial_every=3))
    loop = BackgroundConsumer(disturbed.consumer())
    published = threading.Event()
    errors: list[BaseException] = []
    producer = threading.Thread(
        target=publish_with_retries, args=(disturbed.bus, events, published, errors), daemon=True
    )
    producer.start()
    wait_until(
        lambda: loop.alive() and disturbed.count(PROCESSED) >= len(events) // 4,
        60,
        "a quarter folded",
    )
    try:
        stop_broker()
        assert disturbed.count(PROCESSED) < len(events), "the stream ended before the stop"
    finally:
        start_broker()  # never leave the shared broker down
    producer.join(timeout=RETRY_FOR_S + 180)
    assert published.is_set(), (
        f"the producer did not get the stream out after the restart: {errors}"
    )
    target = end_offsets(kafka_bootstrap, disturbed.events_topic)

    wait_until(
        lambda: (
            loop.alive()
            and caught_up(kafka_bootstrap, disturbed.group, disturbed.events_topic, target)
        ),
        180,
        "the consumer to catch up after the restart",
    )
    loop.join()
    consume_until_caught_up(reference, reference.consumer(), target)

    assert disturbed.count(PROCESSED) == len(events)
    assert duplicate_history(disturbed.engine) == []
    assert stable_snapshot(disturbed.engine) == stable_snapshot(reference.engine)
