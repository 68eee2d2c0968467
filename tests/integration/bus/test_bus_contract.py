"""One contract for every bus backend: the embedded SQLite log and a real Kafka broker.

Each test gets its own topics and consumer group, so it runs against a shared broker.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

from spbe_common.bus import Bus, Consumer, Producer, Record, dead_letter, make_bus, publish
from spbe_common.bus.embedded import EmbeddedBus
from spbe_common.bus.kafka import DeliveryFailed, KafkaBus, KafkaBusConsumer
from spbe_common.events import TOPIC_OF, Event, EventType, Headers, Topic, from_binary, new_event
from spbe_common.events.payloads import (
    ApplicationDeclared,
    AssetObserved,
    ObservedService,
    ScanScope,
    ScanStarted,
    ScoreComputed,
)
from spbe_common.settings import BusBackend, BusSettings, Environment

DRAIN_TIMEOUT_S = 30.0
QUIET_S = 1.0
SCOPE = ScanScope(key="bappeda-lan", opd="BAPPEDA", ranges=["10.20.0.0/24"])


@dataclass
class Harness:
    """A backend under test, its per-test topic and group, and everything opened on it."""

    bus: Bus
    topic: str
    group: str
    prefix: str
    visible: Callable[[str], int]  # records durably stored on a topic, read by a separate client
    opened: list[Producer | Consumer] = field(default_factory=list)

    def producer(self) -> Producer:
        producer = self.bus.producer()
        self.opened.append(producer)
        return producer

    def consumer(self, topics: Sequence[str] | None = None) -> Consumer:
        consumer = self.bus.consumer(self.group, list(topics or [self.topic]))
        self.opened.append(consumer)
        return consumer

    def close(self, part: Producer | Consumer) -> None:
        self.opened.remove(part)
        part.close()


class TopicPrefix:
    """Sends through a real producer onto this test's own copies of the contract topics."""

    def __init__(self, inner: Producer, prefix: str) -> None:
        self._inner, self._prefix = inner, prefix

    def send(self, topic: str, key: bytes | None, value: bytes, headers: Headers) -> None:
        self._inner.send(self._prefix + topic, key, value, headers)

    def flush(self) -> None:
        self._inner.flush()

    def close(self) -> None:
        self._inner.close()


def _kafka_visible(bootstrap: str) -> Callable[[str], int]:
    def visible(topic: str) -> int:
        client = KafkaConsumer(bootstrap_servers=bootstrap)
        try:
            partitions = [TopicPartition(topic, p) for p in client.partitions_for_topic(topic)]
            return sum(client.end_offsets(partitions).values())
        finally:
            client.close()

    return visible


def _settings(request: pytest.FixtureRequest, tmp_path: Path) -> BusSettings:
    if request.param == "embedded":
        return BusSettings(
            environment=Environment.TEST,
            bus=BusBackend.EMBEDDED,
            event_log_path=tmp_path / "events.db",
        )
    return BusSettings(
        environment=Environment.TEST,
        bus=BusBackend.KAFKA,
        kafka_bootstrap_servers=request.getfixturevalue("kafka_bootstrap"),
        kafka_partitions=6,
        kafka_replication_factor=1,
    )


@pytest.fixture(params=["embedded", pytest.param("kafka", marks=pytest.mark.kafka)])
def harness(request: pytest.FixtureRequest, tmp_path: Path, unique_name: str) -> Iterator[Harness]:
    settings = _settings(request, tmp_path)
    bus = make_bus(settings)
    prefix = f"{unique_name}."
    topic = f"{prefix}records"
    bus.ensure_topics([topic, *(prefix + t.value for t in Topic)])
    if isinstance(bus, EmbeddedBus):
        visible = EmbeddedBus(settings.log_path).count
    else:
        visible = _kafka_visible(settings.kafka_bootstrap_servers)
    harness = Harness(bus, topic, f"{unique_name}.group", prefix, visible)
    yield harness
    for part in reversed(harness.opened):
        part.close()


def send_numbered(
    producer: Producer, topic: str, count: int, keys: int = 4, start: int = 0
) -> list[tuple[bytes | None, bytes, Headers]]:
    """Queue `count` distinct records spread over `keys` keys; returns what was sent, in order."""
    sent: list[tuple[bytes | None, bytes, Headers]] = []
    for n in range(start, start + count):
        key = f"key-{n % keys}".encode()
        headers: Headers = [("n", str(n).encode()), ("raw", bytes([n % 256, 0, 255]))]
        sent.append((key, f"value-{n}".encode(), headers))
        producer.send(topic, *sent[-1])
    return sent


def drain(consumer: Consumer, count: int) -> list[Record]:
    """Poll until `count` records arrived (or time runs out), then check for stragglers."""
    records: list[Record] = []
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while len(records) < count and time.monotonic() < deadline:
        records += consumer.poll(count - len(records), 0.5)
    return records + consumer.poll(100, QUIET_S)


def values(records: Sequence[Record]) -> list[bytes]:
    return [record.value for record in records]


def positions(records: Sequence[Record]) -> list[tuple[int, int]]:
    return sorted((record.partition, record.offset) for record in records)


def test_records_keep_key_value_headers_and_order_per_key(harness: Harness) -> None:
    producer = harness.producer()
    sent = send_numbered(producer, harness.topic, 60, keys=5)
    producer.flush()

    received = drain(harness.consumer(), 60)

    assert sorted((r.key, r.value, r.headers) for r in received) == sorted(sent)
    for key in {key for key, _, _ in sent}:
        in_order = [value for k, value, _ in sent if k == key]
        assert [r.value for r in received if r.key == key] == in_order


def test_flush_returns_when_every_record_is_stored(harness: Harness) -> None:
    producer = harness.producer()
    send_numbered(producer, harness.topic, 200)

    producer.flush()

    assert harness.visible(harness.topic) == 200  # at once, read by a separate client


def test_nothing_is_delivered_twice_after_commit(harness: Harness) -> None:
    producer = harness.producer()
    send_numbered(producer, harness.topic, 10)
    producer.flush()
    consumer = harness.consumer()
    first = drain(consumer, 10)
    consumer.commit(first)

    consumer.seek_to_committed()
    assert consumer.poll(100, QUIET_S) == []
    later = send_numbered(producer, harness.topic, 5, start=10)
    producer.flush()

    assert len(first) == 10
    assert sorted(values(drain(consumer, 5))) == sorted(value for _, value, _ in later)


def test_committed_position_survives_a_new_consumer(harness: Harness) -> None:
    producer = harness.producer()
    send_numbered(producer, harness.topic, 10)
    producer.flush()
    first = harness.consumer()
    first.commit(drain(first, 10))
    harness.close(first)
    later = send_numbered(producer, harness.topic, 5, start=10)
    producer.flush()

    received = drain(harness.consumer(), 5)

    assert sorted(values(received)) == sorted(value for _, value, _ in later)


def test_uncommitted_records_go_to_the_next_consumer_of_the_group(harness: Harness) -> None:
    producer = harness.producer()
    send_numbered(producer, harness.topic, 10)
    producer.flush()
    crashed = harness.consumer()
    polled = drain(crashed, 10)
    crashed.commit(polled[:4])
    harness.close(crashed)  # processed everything but died before committing the rest

    redelivered = drain(harness.consumer(), 6)

    assert len(polled) == 10
    assert positions(redelivered) == positions(polled[4:])


def test_seek_to_committed_redelivers_the_failed_batch(harness: Harness) -> None:
    producer = harness.producer()
    send_numbered(producer, harness.topic, 10)
    producer.flush()
    consumer = harness.consumer()
    polled = drain(consumer, 10)
    consumer.commit(polled[:3])

    consumer.seek_to_committed()
    again = drain(consumer, 7)

    assert len(polled) == 10
    assert positions(again) == positions(polled[3:])


def contract_events() -> list[Event]:
    now = datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)
    observed = AssetObserved(
        addresses=["10.20.0.5"],
        mac="aa:bb:cc:dd:ee:0f",
        hostname="srv-simpeg",
        services=[ObservedService(port=443, name="https", product="nginx", version="1.24")],
    )
    declared = ApplicationDeclared(name="SIMPEG", opd="BKPSDM", urls=["https://simpeg.example.id"])
    started = ScanStarted(scan_id="scan-1", scope=SCOPE, profile="discovery", started_at=now)
    score = ScoreComputed(run_id="run-1", framework="spbe-2018", index=2.6, predicate="cukup")
    source = "spbe/contract-test"
    return [
        new_event(EventType.SCAN_STARTED, started, source=source, scan_id="scan-1", time=now),
        new_event(EventType.ASSET_OBSERVED, observed, source=source, scan_id="scan-1", time=now),
        new_event(EventType.APPLICATION_DECLARED, declared, source=source, time=now),
        new_event(EventType.SCORE_COMPUTED, score, source=source, time=now),
    ]


def test_published_events_round_trip_through_from_binary(harness: Harness) -> None:
    events = contract_events()
    producer = TopicPrefix(harness.producer(), harness.prefix)
    assert publish(producer, events) == len(events)
    producer.flush()
    topics = [harness.prefix + t.value for t in (Topic.EVENTS, Topic.SCORES)]

    received = {from_binary(r.headers, r.value).id: r for r in drain(harness.consumer(topics), 4)}

    assert sorted(received) == sorted(event.id for event in events)
    for event in events:
        record = received[event.id]
        decoded = from_binary(record.headers, record.value)
        assert decoded.model_dump(exclude={"data"}) == event.model_dump(exclude={"data"})
        assert decoded.data == event.data
        assert record.topic == harness.prefix + TOPIC_OF[event.type].value
        assert record.key == event.key()


def test_dead_letter_keeps_the_original_record_and_says_why(harness: Harness) -> None:
    producer = TopicPrefix(harness.producer(), harness.prefix)
    publish(producer, contract_events()[1:2])
    producer.flush()
    handler = harness.consumer([harness.prefix + Topic.EVENTS.value])
    [original] = drain(handler, 1)
    harness.close(handler)  # one member per group at a time: the embedded log's rule

    dead_letter(producer, original, "handler failed: boom", source="inventory")
    producer.flush()
    [dead] = drain(harness.consumer([harness.prefix + Topic.DEAD_LETTER.value]), 1)

    assert (dead.key, dead.value) == (original.key, original.value)
    assert dead.headers[: len(original.headers)] == original.headers
    extra = dict(dead.headers[len(original.headers) :])
    assert extra["dlq_reason"] == b"handler failed: boom"
    assert extra["dlq_source"] == b"inventory"
    assert extra["dlq_topic"] == original.topic.encode()
    assert extra["dlq_offset"] == str(original.offset).encode()
    assert (
        from_binary(dead.headers, dead.value).id == from_binary(original.headers, original.value).id
    )


# --- Kafka only: partitions and broker-side failures --------------------------------------------


@pytest.fixture
def kafka_bus(kafka_bootstrap: str) -> KafkaBus:
    return KafkaBus(BusSettings(bus=BusBackend.KAFKA, kafka_bootstrap_servers=kafka_bootstrap))


def _wait_for_split(members: list[KafkaBusConsumer], partitions: int) -> None:
    """Poll every member until the group settled with each owning a disjoint share."""
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while time.monotonic() < deadline:
        owned = [set(member.assigned_partitions()) for member in members]
        if all(owned) and sum(map(len, owned)) == len(set().union(*owned)) == partitions:
            return
        for member in members:
            assert member.poll(100, 0.3) == []  # nothing was produced yet
    pytest.fail(f"group did not settle: {[m.assigned_partitions() for m in members]}")


@pytest.mark.kafka
def test_two_members_split_six_partitions_and_see_each_record_once(
    kafka_bus: KafkaBus, unique_name: str
) -> None:
    topic = f"{unique_name}.records"
    kafka_bus.ensure_topics([topic])
    members = [kafka_bus.consumer(f"{unique_name}.group", [topic]) for _ in range(2)]
    producer = kafka_bus.producer()
    try:
        _wait_for_split(members, 6)
        sent = send_numbered(producer, topic, 120, keys=24)
        producer.flush()
        seen: dict[int, list[Record]] = {0: [], 1: []}
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while sum(map(len, seen.values())) < 120 and time.monotonic() < deadline:
            for n, member in enumerate(members):
                batch = member.poll(200, 0.3)
                member.commit(batch)
                seen[n] += batch
        owned = [set(member.assigned_partitions()) for member in members]
    finally:
        producer.close()
        for member in members:
            member.close()

    everything = seen[0] + seen[1]
    assert Counter(r.value for r in everything) == Counter(value for _, value, _ in sent)
    for n in (0, 1):
        assert seen[n], f"member {n} got nothing"
        assert {(r.topic, r.partition) for r in seen[n]} <= owned[n]


@pytest.mark.kafka
def test_a_rejected_record_fails_flush_and_the_producer_recovers(
    kafka_bus: KafkaBus, kafka_bootstrap: str, unique_name: str
) -> None:
    small, normal = f"{unique_name}.small", f"{unique_name}.normal"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        admin.create_topics(
            {
                small: {
                    "num_partitions": 1,
                    "replication_factor": 1,
                    "configs": {"max.message.bytes": "1024"},
                }
            },
            wait_for_metadata=True,
        )
    finally:
        admin.close()
    kafka_bus.ensure_topics([normal])
    producer = kafka_bus.producer()
    try:
        producer.send(small, b"k", os.urandom(8192), [])  # random bytes: gzip cannot shrink them
        with pytest.raises(DeliveryFailed):
            producer.flush()

        send_numbered(producer, normal, 3)
        producer.flush()
    finally:
        producer.close()

    assert _kafka_visible(kafka_bootstrap)(normal) == 3
