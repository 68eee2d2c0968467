"""What the consumer counts, on a registry given at start-up.

Labels stay bounded: an event type is one of the contract's (else "unknown"), a reason one of
`reasons.Reason`, given where the event is refused (the free-text reason is kept in the rejected
store and the dead letter, not here)."""

from __future__ import annotations

import logging
import time
from collections import Counter as Tally
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from spbe_common.bus import Record
from spbe_common.events import EventType

from .reasons import Rejection
from .service import BatchResult

log = logging.getLogger(__name__)
UNKNOWN_TYPE = "unknown"
_TYPES = {t.value.encode(): t.value for t in EventType}
BATCH_SIZES = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
LAG_EVERY_S = 5.0  # the lag is read at most this often, on the consumer's own thread


def type_of(record: Record) -> str:
    for name, raw in record.headers:
        if name == "ce_type":
            return _TYPES.get(raw, UNKNOWN_TYPE)
    return UNKNOWN_TYPE


@runtime_checkable
class LagReporting(Protocol):
    def lag(self) -> dict[tuple[str, int], int]: ...


class IngestMetrics:
    def __init__(
        self, registry: CollectorRegistry, clock: Callable[[], float] = time.monotonic
    ) -> None:
        def counter(name: str, doc: str, labels: Sequence[str] = ()) -> Counter:
            return Counter(name, doc, labels, registry=registry)

        self.consumed = counter("spbe_inventory_events_consumed", "Records polled", ["type"])
        self.applied = counter("spbe_inventory_events_applied", "Events folded in", ["type"])
        self.duplicates = counter(
            "spbe_inventory_events_duplicate", "Events seen before, skipped", ["type"]
        )
        self.rejected = counter(
            "spbe_inventory_events_rejected", "Events set aside", ["type", "reason"]
        )
        self.dead_letters = counter(
            "spbe_inventory_dead_letters", "Records sent to the dead-letter topic", ["reason"]
        )
        self.failures = counter("spbe_inventory_batch_failures", "Batches rolled back and retried")
        self.batch_size = Histogram(
            "spbe_inventory_batch_size", "Records per batch", buckets=BATCH_SIZES, registry=registry
        )
        self.batch_seconds = Histogram(
            "spbe_inventory_batch_seconds", "Time to fold one batch", registry=registry
        )
        self.lag = Gauge(
            "spbe_inventory_consumer_lag",
            "Records behind the end of the log",
            ["topic", "partition"],
            registry=registry,
        )
        self._clock = clock
        self._lag_at: float | None = None
        self._lag_labels: set[tuple[str, str]] = set()

    def observe(self, records: Sequence[Record], result: BatchResult, seconds: float) -> None:
        """One settled batch: a few increments per event type, nothing per event."""
        self.batch_size.observe(len(records))
        self.batch_seconds.observe(seconds)
        for event_type, count in Tally(type_of(r) for r in records).items():
            self.consumed.labels(event_type).inc(count)
        for event_type, count in result.ingested.items():
            self.applied.labels(event_type).inc(count)
        for event_type, count in result.duplicate_types.items():
            self.duplicates.labels(event_type).inc(count)
        for (event_type, reason), count in Tally(
            (type_of(record), why.code.value) for record, why in result.rejected
        ).items():
            self.rejected.labels(event_type, reason).inc(count)

    def dead_lettered(self, rejected: Sequence[tuple[Record, Rejection]]) -> None:
        for reason, count in Tally(why.code.value for _, why in rejected).items():
            self.dead_letters.labels(reason).inc(count)

    def sample_lag(self, consumer: object) -> None:
        """Every LAG_EVERY_S at most; a consumer that cannot say, or fails to, leaves it as is."""
        now = self._clock()
        if self._lag_at is not None and now - self._lag_at < LAG_EVERY_S:
            return
        self._lag_at = now
        if not isinstance(consumer, LagReporting):
            return
        try:
            lag = consumer.lag()
        except Exception:  # the broker or log away: ingestion's own retry says so
            log.debug("cannot read the consumer lag", exc_info=True)
            return
        labels = {(topic, str(partition)): behind for (topic, partition), behind in lag.items()}
        for gone in self._lag_labels - labels.keys():  # partitions this member no longer owns
            self.lag.remove(*gone)
        for (topic, partition), behind in labels.items():
            self.lag.labels(topic, partition).set(behind)
        self._lag_labels = set(labels)
