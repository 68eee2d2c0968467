"""The Apache Kafka backend (kafka-python 3.x): an idempotent producer and manual-commit groups.

At-least-once: the consumer never commits on its own; the caller commits the records it has
processed (after its database commit), and `seek_to_committed` rewinds after a failed batch.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from kafka import (
    ConsumerRebalanceListener,
    KafkaAdminClient,
    KafkaConsumer,
    KafkaProducer,
    OffsetAndMetadata,
    TopicPartition,
)
from kafka.errors import (
    CommitFailedError,
    KafkaError,
    TopicAlreadyExistsError,
    TopicAuthorizationFailedError,
    for_code,
)

from spbe_common.events import Headers
from spbe_common.settings import BusSettings, KafkaSecurityProtocol

from .base import Record

log = logging.getLogger(__name__)

CLIENT_ID = "spbe"
PRODUCER_CONFIG: dict[str, Any] = {
    "acks": "all",
    "enable_idempotence": True,  # no duplicates from retries, order kept per partition
    "linger_ms": 20,
    "batch_size": 256 * 1024,
    "compression_type": "gzip",  # built in; lz4/zstd would need an extra package
    "max_block_ms": 30_000,  # send() waits this long for metadata of an unknown topic
    "delivery_timeout_ms": 120_000,
}
CONSUMER_CONFIG: dict[str, Any] = {
    "enable_auto_commit": False,
    "auto_offset_reset": "earliest",
    "session_timeout_ms": 10_000,
    "heartbeat_interval_ms": 3_000,
    "max_poll_records": 500,
}
COMMIT_TIMEOUT_MS = 10_000  # a stop signal is honoured within this while the broker is away
LAG_TIMEOUT_MS = 1_000  # reading the lag never holds up ingestion for long
FLUSH_TIMEOUT_S = 150.0  # longer than delivery_timeout_ms: every record resolves before this


class DeliveryFailed(KafkaError):
    """At least one queued record was not confirmed by the broker; none of the batch is trusted."""


class KafkaBusProducer:
    """Queues records; `flush` returns only when the broker confirmed every one of them."""

    def __init__(self, config: dict[str, Any], topic_prefix: str = "") -> None:
        self._config = config
        self._prefix = topic_prefix
        self._producer = KafkaProducer(**config)
        self._failures: list[BaseException] = []

    def send(self, topic: str, key: bytes | None, value: bytes, headers: Headers) -> None:
        try:  # blocks up to max_block_ms for metadata or buffer space while the broker is away
            future = self._producer.send(
                self._prefix + topic, value=value, key=key, headers=list(headers)
            )
        except KafkaError as exc:
            raise DeliveryFailed(f"record not accepted for sending: {exc!r}") from exc
        future.add_errback(self._failures.append)  # runs on the sender thread

    def flush(self) -> None:
        try:
            self._producer.flush(timeout=FLUSH_TIMEOUT_S)
        except KafkaError as exc:
            self._recreate()
            raise DeliveryFailed(f"flush did not complete: {exc!r}") from exc
        if self._failures:
            failures, self._failures = self._failures, []
            # a non-retriable error leaves an idempotent producer in a fatal state
            self._recreate()
            raise DeliveryFailed(
                f"{len(failures)} records not delivered: {failures[0]!r}"
            ) from failures[0]

    def _recreate(self) -> None:
        log.warning("recreating the Kafka producer after a failed delivery")
        self._producer.close(timeout=5)
        self._failures = []
        self._producer = KafkaProducer(**self._config)

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._producer.close()


class _AssignmentTracker(ConsumerRebalanceListener):
    """Keeps the set of owned partitions current; revoked or lost ones are dropped."""

    def __init__(self, owned: set[TopicPartition]) -> None:
        self._owned = owned

    def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        self._owned.difference_update(revoked)

    def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        self._owned.update(assigned)

    def on_partitions_lost(self, lost: Iterable[TopicPartition]) -> None:
        self._owned.difference_update(lost)


def _to_record(raw: Any) -> Record:
    return Record(
        raw.topic, raw.partition, raw.offset, raw.key, raw.value or b"", list(raw.headers)
    )


def _next_offsets(records: Sequence[Record]) -> dict[TopicPartition, int]:
    """Per partition, the offset after the last record: what the group resumes from."""
    offsets: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        offsets[tp] = max(offsets.get(tp, 0), record.offset + 1)
    return offsets


class KafkaBusConsumer:
    """One member of a consumer group; commits only what the caller says it has processed."""

    def __init__(self, config: dict[str, Any], topics: Sequence[str]) -> None:
        self._consumer = KafkaConsumer(**config)
        self._owned: set[TopicPartition] = set()
        self._pending: dict[TopicPartition, int] = {}  # offsets whose commit must be retried
        for topic in topics:
            # a leader that lacks a topic's metadata assigns none of its partitions, and the next
            # refresh (metadata_max_age_ms, 5 min) is the first to fix that: fetch it first
            self._consumer.partitions_for_topic(topic)
        self._consumer.subscribe(topics=list(topics), listener=_AssignmentTracker(self._owned))

    def poll(self, max_records: int, timeout_s: float) -> list[Record]:
        if self._pending:
            self._commit_pending()  # offsets owed from before a broker outage
        batches = self._consumer.poll(timeout_ms=int(timeout_s * 1000), max_records=max_records)
        return [_to_record(raw) for records in batches.values() for raw in records]

    def commit(self, records: Sequence[Record]) -> None:
        polled = _next_offsets(records)
        offsets = {tp: offset for tp, offset in polled.items() if tp in self._owned}
        if len(offsets) < len(polled):
            log.info(
                "not committing records of revoked partitions; their new owner gets them again"
            )
        for tp, offset in offsets.items():
            self._pending[tp] = max(self._pending.get(tp, 0), offset)
        self._commit_pending()

    def _commit_pending(self) -> None:
        """Commit the owed offsets; a broker that cannot be reached leaves them owed, not lost."""
        owed = {tp: o for tp, o in self._pending.items() if tp in self._owned}
        self._pending.clear()
        if not owed:
            return
        try:
            self._consumer.commit(
                {tp: OffsetAndMetadata(o, "", -1) for tp, o in owed.items()},
                timeout_ms=COMMIT_TIMEOUT_MS,
            )
        except CommitFailedError as exc:
            # the group rebalanced meanwhile: the records are redelivered to the new owner
            log.warning("offset commit rejected after a rebalance: %s", exc)
        except KafkaError as exc:
            if not exc.retriable:
                raise
            # the database already holds these records: retry on the next poll or commit; a
            # crash meanwhile only redelivers them, and processed event ids make that a no-op
            self._pending.update(owed)
            log.warning("offset commit failed (%r); retrying with the next poll", exc)

    def seek_to_committed(self) -> None:
        """Forget uncommitted progress so the failed batch is delivered again."""
        for tp in self._consumer.assignment():
            owed = self._pending.get(tp)  # committed to the database, not yet to Kafka
            committed = owed if owed is not None else self._consumer.committed(tp)
            if committed is None:
                self._consumer.seek_to_beginning(tp)  # matches auto_offset_reset=earliest
            else:
                self._consumer.seek(tp, committed)

    def lag(self) -> dict[tuple[str, int], int]:
        """Per owned partition: the log end (the fetches' high watermark, else asked for) minus
        this member's position. Waits at most LAG_TIMEOUT_MS per request while the broker is away."""
        owned = list(self._consumer.assignment())
        unknown = [tp for tp in owned if self._consumer.highwater(tp) is None]
        ends = self._consumer.end_offsets(unknown, timeout_ms=LAG_TIMEOUT_MS) if unknown else {}
        found: dict[tuple[str, int], int] = {}
        for tp in owned:
            end = self._consumer.highwater(tp)
            end = ends.get(tp) if end is None else end
            position = self._consumer.position(tp, timeout_ms=LAG_TIMEOUT_MS)
            if end is not None and position is not None:
                found[(tp.topic, tp.partition)] = max(0, end - position)
        return found

    def assigned_partitions(self) -> list[tuple[str, int]]:
        """The (topic, partition) pairs this member owns now, as the rebalance listener saw them."""
        return sorted((tp.topic, tp.partition) for tp in self._owned)

    def close(self) -> None:
        self._consumer.close(autocommit=False)  # leaves the group at once: no session timeout wait


def client_config(settings: BusSettings) -> dict[str, Any]:
    """What every kafka-python client of this service needs: servers, id and credentials."""
    servers = [s.strip() for s in settings.kafka_bootstrap_servers.split(",") if s.strip()]
    config: dict[str, Any] = {
        "bootstrap_servers": servers,
        "client_id": CLIENT_ID,
        "security_protocol": settings.kafka_security_protocol.value,
    }
    if settings.kafka_security_protocol is not KafkaSecurityProtocol.PLAINTEXT:
        assert settings.kafka_password is not None  # the settings refuse SASL without one
        config["sasl_mechanism"] = settings.kafka_sasl_mechanism.value
        config["sasl_plain_username"] = settings.kafka_username
        config["sasl_plain_password"] = settings.kafka_password.get_secret_value()
    return config


def _not_created(result: dict[str, Any]) -> dict[str, tuple[int, str]]:
    """Topics whose creation failed for another reason than that they already exist."""
    return {
        topic["name"]: (topic["error_code"], str(topic.get("error_message")))
        for topic in result["topics"]
        if topic["error_code"] not in (0, TopicAlreadyExistsError.errno)
    }


def _raise_unless_present(admin: KafkaAdminClient, failed: dict[str, tuple[int, str]]) -> None:
    """A service may not create topics (the admin does); one that exists already is enough."""
    denied = {n for n, (code, _) in failed.items() if code == TopicAuthorizationFailedError.errno}
    present = set(admin.list_topics()) if denied else set()
    for name, (code, message) in failed.items():
        if name in present:
            continue
        if code == TopicAuthorizationFailedError.errno:
            message = "missing, and this principal may not create it: the Kafka admin creates it"
        raise for_code(code)(f"{name}: {message}")


class KafkaBus:
    """Built from settings; connects only when a producer, consumer or topic set-up is asked for.

    `topic_prefix` namespaces every topic on a shared broker (one test, one tenant): callers keep
    using the contract's names and records carry the broker's full name.
    """

    def __init__(self, settings: BusSettings, topic_prefix: str = "") -> None:
        self._settings = settings
        self.topic_prefix = topic_prefix

    def _common(self) -> dict[str, Any]:
        return client_config(self._settings)

    def ensure_topics(self, topics: Iterable[str]) -> None:
        spec = {
            "num_partitions": self._settings.kafka_partitions,
            "replication_factor": self._settings.kafka_replication_factor,
        }
        admin = KafkaAdminClient(**self._common())
        try:
            result = admin.create_topics(
                {self.topic_prefix + name: dict(spec) for name in topics},
                raise_errors=False,
                wait_for_metadata=True,
            )
            failed = _not_created(result)
            if failed:
                _raise_unless_present(admin, failed)
        finally:
            admin.close()

    def producer(self) -> KafkaBusProducer:
        return KafkaBusProducer({**self._common(), **PRODUCER_CONFIG}, self.topic_prefix)

    def consumer(self, group_id: str, topics: Sequence[str]) -> KafkaBusConsumer:
        config = {**self._common(), **CONSUMER_CONFIG, "group_id": group_id}
        return KafkaBusConsumer(config, [self.topic_prefix + t for t in topics])
