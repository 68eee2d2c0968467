"""The consumer loop: poll a batch, fold it in one transaction, commit, then commit offsets.

Two kinds of failure, handled apart:

- poison: anything wrong with one event (invalid, unknown OPD, or any exception while decoding or
  applying it). The event is set aside (rejected_event and the dead-letter topic, with its
  reason) and the batch goes on: a batch that fails is bisected, its good halves committed in
  order, until the one record that fails alone is isolated. A good batch takes the fast path.
- infrastructure: the database, the broker or the event log unavailable, full or read-only. The
  batch is rolled back and retried with back-off, for as long as it takes, without a restart.

A heartbeat (SPBE_HEARTBEAT_FILE) beats after each completed poll: a batch committed with its
offsets, or an empty poll while the database answers; never while retrying.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from spbe_common.bus import Bus, Consumer, Record, dead_letter
from spbe_common.db import begin_write
from spbe_common.events import Topic
from spbe_common.heartbeat import Heartbeat

from .metrics import IngestMetrics
from .reasons import Reason, Rejection
from .service import BatchResult, failure, ingest, set_aside

log = logging.getLogger(__name__)
SOURCE = "spbe-inventory"

# SQLite result codes of a database that is there but cannot be written or reached right now
SQLITE_TRANSIENT = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_READONLY",
                    "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_PROTOCOL", "SQLITE_NOMEM")  # fmt: skip
# SQLSTATE classes of PostgreSQL: connection, rollback (deadlock, serialisation), resources
# (disk full, out of memory), operator intervention (shutdown), system (I/O); and read-only
PG_TRANSIENT_CLASSES = ("08", "40", "53", "57", "58")
PG_TRANSIENT = ("25006", "55P03")


def is_infrastructure(exc: BaseException) -> bool:
    """True for a failure of the database, broker or disk, never for a problem of one event."""
    if isinstance(exc, InterfaceError | DisconnectionError | PoolTimeout | OSError):
        return True
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(orig, sqlite3.Error):
        name = getattr(orig, "sqlite_errorname", "")
        return name.startswith(SQLITE_TRANSIENT)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate:
        return sqlstate[:2] in PG_TRANSIENT_CLASSES or sqlstate in PG_TRANSIENT
    # a PostgreSQL driver error without a state: the connection itself failed
    return isinstance(exc, OperationalError) or bool(getattr(exc, "connection_invalidated", False))


@dataclass
class _Unsettled:
    """A batch committed to the database whose dead letters or offsets are still owed."""

    records: Sequence[Record]
    result: BatchResult
    started: float
    dead_lettered: bool = False


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
        backoff_s: tuple[float, float] = (0.5, 30.0),
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self._engine = engine
        self._bus = bus
        self._batch_size = batch_size
        self._timeout = poll_timeout_s
        self._metrics = metrics
        bus.ensure_topics([Topic.EVENTS.value, Topic.DEAD_LETTER.value])
        self._consumer = bus.consumer(group_id, [Topic.EVENTS.value])
        self._producer = bus.producer()
        self._min_backoff, self._max_backoff = backoff_s
        self._backoff = 0.0
        self._stop = threading.Event()  # cuts a back-off short when `run` is told to stop
        self._unsettled: _Unsettled | None = None
        self._must_rewind = False
        self._heartbeat = heartbeat

    @property
    def bus_consumer(self) -> Consumer:
        """The bus's consumer this one polls (its partitions, for one)."""
        return self._consumer

    def step(self) -> BatchResult | None:
        """One batch; returns None when nothing arrived or the batch must be retried."""
        if self._must_rewind and not self._rewind():
            return None
        if self._unsettled is not None and not self._settle(self._unsettled):
            return None
        try:
            records = self._consumer.poll(self._batch_size, self._timeout)
        except Exception as exc:  # broker or event log away: nothing was taken yet
            self._retry_later(exc)
            return None
        if self._metrics:
            self._metrics.sample_lag(self._consumer)
        if not records:
            self._idle()
            return None
        pending = _Unsettled(records, BatchResult(), time.perf_counter())
        try:
            pending.result = self._fold(records)
        except Exception as exc:  # only infrastructure failures get here: the batch comes again
            self._must_rewind = True
            self._retry_later(exc)
            return None
        self._unsettled = pending
        if not self._settle(pending):
            return None
        if self._heartbeat is not None:
            self._heartbeat.beat()
        return pending.result

    def _idle(self) -> None:
        """Nothing to fold: beat if the database answers (an idle consumer whose database is gone
        cannot work either), checked only when the heartbeat would be written."""
        if self._heartbeat is None or not self._heartbeat.due():
            return
        try:
            with self._engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            self._retry_later(exc, "database check failed")
            return
        self._backoff = 0.0
        self._heartbeat.beat()

    def _fold(self, records: Sequence[Record]) -> BatchResult:
        """The whole batch in one transaction; if an event breaks it, isolate that event."""
        try:
            return self._apply(records)
        except Exception as exc:
            if is_infrastructure(exc):
                raise
            log.warning("batch of %d failed (%s); isolating the event", len(records), failure(exc))
            return self._isolate(records, exc)

    def _apply(self, records: Sequence[Record]) -> BatchResult:
        with begin_write(self._engine) as conn:  # the edge owns the transaction
            return ingest(conn, records)

    def _isolate(self, records: Sequence[Record], exc: Exception) -> BatchResult:
        """Bisect: each half in order in its own transaction; a record failing alone is set aside."""
        if len(records) == 1:
            log.error("event at %s/%d set aside: %s", records[0].topic, records[0].offset, exc)
            why = Rejection(Reason.APPLY_FAILED, f"could not apply the event: {failure(exc)}")
            return self._set_aside(records[0], why)
        result = BatchResult()
        middle = len(records) // 2
        for half in (records[:middle], records[middle:]):
            try:
                part = self._apply(half)
            except Exception as inner:
                if is_infrastructure(inner):
                    raise
                part = self._isolate(half, inner)
            result.add(part)
        return result

    def _set_aside(self, record: Record, why: Rejection) -> BatchResult:
        try:
            with begin_write(self._engine) as conn:
                return set_aside(conn, record, why)
        except Exception as exc:
            if is_infrastructure(exc):
                raise
            log.exception("cannot store the set-aside event; it goes to the dead letters only")
            return BatchResult(rejected=[(record, why)])

    def _settle(self, pending: _Unsettled) -> bool:
        """Dead letters, then offsets; a failure leaves them owed (the database has the batch)."""
        try:
            if not pending.dead_lettered:
                for record, why in pending.result.rejected:
                    dead_letter(self._producer, record, why.text, SOURCE)
                self._producer.flush()
                pending.dead_lettered = True
                if self._metrics:
                    self._metrics.dead_lettered(pending.result.rejected)
            self._consumer.commit(pending.records)  # only after the database commit
        except Exception as exc:  # broker or event log away, full or read-only
            self._retry_later(exc)
            return False
        self._unsettled = None
        self._backoff = 0.0
        if self._metrics:
            seconds = time.perf_counter() - pending.started
            self._metrics.observe(pending.records, pending.result, seconds)
        return True

    def _rewind(self) -> bool:
        """Back to the committed offsets, so a rolled-back batch is delivered again."""
        try:
            self._consumer.seek_to_committed()
        except Exception as exc:  # the log or broker cannot say where we were: try again later
            self._retry_later(exc)
            return False
        self._must_rewind = False
        return True

    def _retry_later(self, exc: Exception, what: str = "batch failed") -> None:
        self._backoff = min(self._max_backoff, max(self._min_backoff, self._backoff * 2))
        log.warning("%s (%s); retrying in %.1fs", what, failure(exc), self._backoff)
        if self._metrics:
            self._metrics.failures.inc()
        self._stop.wait(self._backoff)

    def run(self, stop: threading.Event) -> None:
        self._stop = stop
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
