"""The consumer loop: poll a batch, fold it in one transaction, commit, then commit offsets."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from spbe_common.bus import Bus, dead_letter
from spbe_common.events import Topic

from .metrics import IngestMetrics
from .service import BatchResult, ingest

log = logging.getLogger(__name__)
SOURCE = "spbe-inventory"


class InventoryConsumer:
    def __init__(
        self,
        engine: Engine,
        bus: Bus,
        *,
        group_id: str,
        batch_size: int,
        poll_timeout_s: float,
        metrics: IngestMetrics | None = None,
    ) -> None:
        self._engine = engine
        self._bus = bus
        self._batch_size = batch_size
        self._timeout = poll_timeout_s
        self._metrics = metrics
        bus.ensure_topics([Topic.EVENTS.value, Topic.DEAD_LETTER.value])
        self._consumer = bus.consumer(group_id, [Topic.EVENTS.value])
        self._producer = bus.producer()
        self._backoff = 0.0

    def step(self) -> BatchResult | None:
        """One batch; returns None when nothing arrived or the batch must be retried."""
        records = self._consumer.poll(self._batch_size, self._timeout)
        if not records:
            return None
        started = time.perf_counter()
        try:
            with self._engine.begin() as conn:  # the edge owns the transaction
                result = ingest(conn, records)
        except (OperationalError, InterfaceError) as exc:  # database down or locked
            self._retry_later(exc)
            return None
        try:
            for record, reason in result.rejected:
                dead_letter(self._producer, record, reason, SOURCE)
            self._producer.flush()
        except Exception as exc:  # broker trouble: the batch comes again and changes nothing
            self._retry_later(exc)
            return None
        self._consumer.commit(records)  # only after the database commit
        self._backoff = 0.0
        if self._metrics:
            self._metrics.batch_seconds.observe(time.perf_counter() - started)
            self._metrics.observe(result)
        return result

    def _retry_later(self, exc: Exception) -> None:
        self._backoff = min(30.0, max(0.5, self._backoff * 2))
        log.warning("batch failed (%s); retrying in %.1fs", exc, self._backoff)
        if self._metrics:
            self._metrics.failures.inc()
        self._consumer.seek_to_committed()
        time.sleep(self._backoff)

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.step()

    def drain(self) -> int:
        """Fold in everything already in the log (tests, sample loading); returns events seen."""
        total = 0
        while (result := self.step()) is not None:
            total += sum(result.ingested.values()) + result.duplicates + len(result.rejected)
        return total

    def close(self) -> None:
        self._producer.close()
        self._consumer.close()
