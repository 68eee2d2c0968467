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

Two batches overlap: while a writer thread folds one into the database (on PostgreSQL much of
that is waiting on the server), the consumer's own thread polls and decodes the next. Only that
thread touches the bus, and a batch's offsets are committed only once its transaction has; the
next batch, polled ahead, is dropped and delivered again if the database fails. Before the group
takes partitions away, the batch in flight is finished and its offsets committed
(`Consumer.before_revoke`), so their new owner never folds it a second time alongside.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
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
from .service import BatchResult, Decoded, decode, failure, ingest, ingest_decoded, set_aside

log = logging.getLogger(__name__)
SOURCE = "spbe-inventory"

# SQLite result codes of a database that is there but cannot be written or reached right now
SQLITE_TRANSIENT = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_FULL", "SQLITE_READONLY",
                    "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_PROTOCOL", "SQLITE_NOMEM")  # fmt: skip
# SQLSTATE classes of PostgreSQL: connection, rollback (deadlock, serialisation), resources
# (disk full, out of memory), operator intervention (shutdown), system (I/O); and read-only
PG_TRANSIENT_CLASSES = ("08", "40", "53", "57", "58")
PG_TRANSIENT = ("25006", "55P03")
AHEAD_POLL_S = 0.02  # one poll for the next batch while the writer folds this one


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


@dataclass
class _Polled:
    """A batch as polled, decoded before its transaction begins."""

    records: Sequence[Record]
    decoded: Decoded


@dataclass
class _InFlight:
    """A batch the writer thread is folding; `finished` once its outcome has been settled."""

    pending: _Unsettled
    future: Future[BatchResult]
    finished: bool = False
    settled: bool = False
    error: Exception | None = None  # an infrastructure failure: the batch comes again


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
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="inventory-writer")
        self._ahead: _Polled | None = None  # polled while the batch before it was written
        self._in_flight: _InFlight | None = None
        self._consumer.before_revoke(self._finish_in_flight)

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
        polled, self._ahead = self._ahead, None
        if polled is None:
            try:
                polled = self._poll(self._timeout)
            except Exception as exc:  # broker or event log away: nothing was taken yet
                self._retry_later(exc)
                return None
            if polled is None:
                self._idle()
                return None
        pending = _Unsettled(polled.records, BatchResult(), time.perf_counter())
        flight = _InFlight(pending, self._writer.submit(self._fold, polled))
        self._in_flight = flight
        ahead = self._poll_ahead(flight.future)  # overlaps the writer's transaction
        self._finish_in_flight()  # done already if the group took partitions away meanwhile
        if flight.error is not None:  # only infrastructure failures get here: after the
            self._retry_later(flight.error)  # rewind, this batch and the one polled ahead of
            return None  # it come again
        self._ahead = ahead
        return pending.result if flight.settled else None

    def _poll(self, timeout_s: float) -> _Polled | None:
        records = self._consumer.poll(self._batch_size, timeout_s)
        if self._metrics:
            self._metrics.sample_lag(self._consumer)
        return _Polled(records, decode(records)) if records else None

    def _poll_ahead(self, writing: Future[BatchResult]) -> _Polled | None:
        """The next batch, if it arrives before the writer is done: short polls, so a quiet bus
        never holds back this batch's offsets; any trouble waits for the next `step`."""
        try:
            while (polled := self._poll(AHEAD_POLL_S)) is None and not writing.done():
                pass
        except Exception as exc:  # nothing was taken: the next poll meets it and backs off
            log.debug("polling ahead failed (%s); polling again next step", failure(exc))
            return None
        return polled

    def _finish_in_flight(self) -> None:
        """Wait for the batch being written, then settle it: dead letters, offsets, heartbeat.
        Also the bus's hook before partitions are taken away (the caller is inside `poll`)."""
        flight = self._in_flight
        if flight is None or flight.finished:
            return
        flight.finished = True
        self._in_flight = None
        try:
            flight.pending.result = flight.future.result()
        except Exception as exc:  # the back-off waits for `step`, not inside a rebalance
            self._must_rewind = True
            flight.error = exc
            return
        self._unsettled = flight.pending
        flight.settled = self._settle(flight.pending)
        if flight.settled and self._heartbeat is not None:
            self._heartbeat.beat()

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

    def _fold(self, polled: _Polled) -> BatchResult:
        """The whole batch in one transaction; if an event breaks it, isolate that event."""
        records = polled.records
        try:
            with begin_write(self._engine) as conn:  # the edge owns the transaction
                return ingest_decoded(conn, polled.decoded)
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
        self._writer.shutdown()  # idle: every step waits for its batch
        self._producer.close()
        self._consumer.close()
