"""One publish/consume interface; backends: the embedded SQLite log and Apache Kafka."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import msgspec

from spbe_common.events import TOPIC_OF, Event, Headers, Topic, to_binary
from spbe_common.events.limits import KEPT_BYTES, KEPT_HEADER_BYTES, MAX_HEADER_BYTES


class Record(msgspec.Struct, frozen=True):  # one per record: a tenth of a frozen dataclass's cost
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Headers


class Producer(Protocol):
    def send(self, topic: str, key: bytes | None, value: bytes, headers: Headers) -> None:
        """Queue one record; it is durable only once `flush` returns."""

    def flush(self) -> None:
        """Block until every queued record is confirmed by the log or broker."""

    def close(self) -> None: ...


class Consumer(Protocol):
    def poll(self, max_records: int, timeout_s: float) -> list[Record]:
        """The next records after the committed position (at-least-once)."""

    def commit(self, records: Sequence[Record]) -> None:
        """Mark everything up to and including these records as processed."""

    def seek_to_committed(self) -> None:
        """Forget uncommitted progress so the next poll redelivers it (after a failed batch)."""

    def close(self) -> None: ...


class Bus(Protocol):
    def ensure_topics(self, topics: Iterable[str]) -> None: ...

    def producer(self) -> Producer: ...

    def consumer(self, group_id: str, topics: Sequence[str]) -> Consumer: ...


def publish(producer: Producer, events: Iterable[Event]) -> int:
    """Encode events in CloudEvents binary mode and queue each on its topic; returns the count."""
    count = 0
    for event in events:
        headers, value = to_binary(event)
        producer.send(TOPIC_OF[event.type].value, event.key(), value, headers)
        count += 1
    return count


def dead_letter(producer: Producer, record: Record, reason: str, source: str) -> None:
    """Queue a poison record on the dead-letter topic: the original key, value and headers, plus
    why; a record over the limits is cut to them (`dlq_truncated` gives its size), so it fits."""
    value, original = kept(record.headers, record.value)
    headers = [
        *original,
        ("dlq_reason", reason.encode()),
        ("dlq_source", source.encode()),
        ("dlq_topic", record.topic.encode()),
        ("dlq_partition", str(record.partition).encode()),
        ("dlq_offset", str(record.offset).encode()),
    ]
    if len(value) < len(record.value):
        headers.append(("dlq_truncated", str(len(record.value)).encode()))
    producer.send(Topic.DEAD_LETTER.value, record.key, value, headers)


def kept(headers: Headers, value: bytes) -> tuple[bytes, Headers]:
    """What a set-aside record keeps of its value and headers (see events.limits)."""
    if sum(len(name) + len(raw) for name, raw in headers) > MAX_HEADER_BYTES:
        headers = [(n[:KEPT_HEADER_BYTES], raw[:KEPT_HEADER_BYTES]) for n, raw in headers[:32]]
    return value[:KEPT_BYTES], headers
