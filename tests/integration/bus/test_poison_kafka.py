"""Poison events on the real Kafka broker and PostgreSQL: every kind (the cases of
e2e/test_poison_events.py) is set aside with its reason while the same consumer keeps running,
and every valid event around them is ingested."""

from __future__ import annotations

import pytest
from e2e.test_poison_events import (
    Running,
    assert_every_case_set_aside,
    assert_every_valid_event_ingested,
    explode_on_one_event,
    poison_cases,
    seed_opd,
    send_stream,
)
from integration.kafka.conftest import MakeInventory, make_inventory, topic_prefix
from integration.kafka.stack import caught_up, end_offsets
from kafka import KafkaProducer

from spbe_common.events import Headers, Topic

__all__ = ["make_inventory", "topic_prefix"]  # fixtures of the Kafka tests, used here too


def test_every_poison_is_set_aside_and_every_valid_event_ingested_on_kafka(
    make_inventory: MakeInventory, kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    explode_on_one_event(monkeypatch)
    inventory = make_inventory("poison", batch_size=8)
    seed_opd(inventory.engine)
    consumer = inventory.consumer()
    running = Running.start(consumer)
    # a producer that lets a 1 MiB+ value through (gzip keeps it small on the broker): the
    # consumer must refuse it on its own, whatever the broker allows
    producer = KafkaProducer(
        bootstrap_servers=kafka_bootstrap, max_request_size=4 << 20, compression_type="gzip"
    )

    def send(records: list[tuple[bytes | None, bytes, Headers]]) -> None:
        for key, value, headers in records:
            producer.send(inventory.events_topic, value=value, key=key, headers=list(headers))
        producer.flush()

    cases = poison_cases()
    hosts = 6
    try:
        valid = send_stream(send, cases, hosts)
    finally:
        producer.close()
    target = end_offsets(kafka_bootstrap, inventory.events_topic)
    running.wait_for(
        lambda: caught_up(kafka_bootstrap, inventory.group, inventory.events_topic, target),
        60,
        "the group to catch up",
    )
    running.finish()

    assert_every_valid_event_ingested(inventory.engine, valid, hosts)
    assert_every_case_set_aside(inventory.engine, cases)
    dead = end_offsets(kafka_bootstrap, inventory.bus.topic_prefix + Topic.DEAD_LETTER.value)
    assert sum(dead.values()) == len(cases)
