"""The consumer polls and decodes the next batch while a writer thread folds the current one into
the database. The batch polled ahead is never committed with the one before it, is delivered again
when that one's transaction fails, and is finished (its offsets committed) before the group takes
its partitions away. Real SQLite catalogue and embedded event log; the rebalance is a stand-in
bus whose `poll` runs the revoke hook, as kafka-python runs a rebalance listener inside `poll`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from e2e.test_poison_events import seed_opd, valid_scan
from sqlalchemy import Engine, event, text

from spbe_common.bus import EmbeddedBus, Record, publish
from spbe_common.bus.base import Consumer
from spbe_common.events import Topic
from spbe_inventory import migrate
from spbe_inventory.db import make_engine
from spbe_inventory.ingest.consumer import InventoryConsumer

GROUP = "pipeline"
BATCH = 20
FIRST_OFFSET = 1  # of the embedded log: records are numbered from 1


def _catalogue(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'inventory.db'}")
    migrate.upgrade(engine)
    seed_opd(engine)
    return engine


def _published(bus: EmbeddedBus, scans: int, hosts: int) -> int:
    producer = bus.producer()
    sent = sum(publish(producer, valid_scan(i, hosts)) for i in range(scans))
    producer.close()
    return sent


def _count(engine: Engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def _committed(bus: EmbeddedBus) -> int:
    """How many records of the events topic the group has committed."""
    conn = sqlite3.connect(bus.path)
    try:
        row = conn.execute(
            "SELECT next_offset FROM consumer_offsets WHERE group_id=? AND topic=?",
            (GROUP, Topic.EVENTS.value),
        ).fetchone()
        first = conn.execute(
            "SELECT min(offset) FROM records WHERE topic=?", (Topic.EVENTS.value,)
        ).fetchone()[0]
    finally:
        conn.close()
    return int(row[0]) - first if row else 0


def test_only_the_written_batch_is_committed_though_the_next_was_polled(tmp_path: Path) -> None:
    engine = _catalogue(tmp_path)
    bus = EmbeddedBus(tmp_path / "events.db")
    sent = _published(bus, 2, 50)
    consumer = InventoryConsumer(engine, bus, group_id=GROUP, batch_size=BATCH, poll_timeout_s=0.02)
    try:
        for step in (1, 2, 3):
            result = consumer.step()
            assert result is not None and sum(result.ingested.values()) == BATCH
            # the batch after it is already polled (and decoded), but neither written nor committed
            assert _committed(bus) == step * BATCH
            assert _count(engine, "SELECT count(*) FROM processed_event") == step * BATCH
        assert consumer.drain() == sent - 3 * BATCH
        assert _committed(bus) == sent
    finally:
        consumer.close()
        engine.dispose()


def test_a_failed_write_delivers_the_batch_polled_ahead_again(tmp_path: Path) -> None:
    """The second transaction meets a read-only database (SQLITE_READONLY, as a file system
    remounted read-only gives): it and the batch polled meanwhile come again, none lost or doubled."""
    engine = _catalogue(tmp_path)
    bus = EmbeddedBus(tmp_path / "events.db")
    sent = _published(bus, 3, 60)
    checkouts = [0]

    def on_checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        checkouts[0] += 1
        dbapi_conn.execute(f"PRAGMA query_only={int(checkouts[0] == 2)}")

    event.listen(engine, "checkout", on_checkout)
    consumer = InventoryConsumer(
        engine, bus, group_id=GROUP, batch_size=BATCH, poll_timeout_s=0.02, backoff_s=(0.01, 0.01)
    )
    try:
        assert consumer.step() is not None
        assert consumer.step() is None  # the second batch failed: nothing more is committed
        assert _committed(bus) == BATCH
        assert consumer.drain() == sent - BATCH
        assert _count(engine, "SELECT count(*) FROM processed_event") == sent
        assert _count(engine, "SELECT count(*) FROM rejected_event") == 0
        assert _count(engine, "SELECT count(*) FROM asset") == 60
        assert _committed(bus) == sent
    finally:
        event.remove(engine, "checkout", on_checkout)
        consumer.close()
        engine.dispose()


class RebalancingConsumer:
    """The embedded log's consumer, whose second poll first runs the revoke hook (a rebalance
    inside `poll`) and records which offsets were committed by then."""

    def __init__(self, inner: Consumer) -> None:
        self.inner = inner
        self.polls = 0
        self.hook: Callable[[], None] | None = None
        self.commits: list[tuple[int, bool]] = []  # (records committed, inside a poll)
        self._polling = False

    def poll(self, max_records: int, timeout_s: float) -> list[Record]:
        self.polls += 1
        self._polling = True
        try:
            if self.polls == 2 and self.hook is not None:
                self.hook()
            return self.inner.poll(max_records, timeout_s)
        finally:
            self._polling = False

    def commit(self, records: Sequence[Record]) -> None:
        self.inner.commit(records)
        self.commits.append((max(r.offset for r in records) + 1 - FIRST_OFFSET, self._polling))

    def seek_to_committed(self) -> None:
        self.inner.seek_to_committed()

    def before_revoke(self, hook: Callable[[], None]) -> None:
        self.hook = hook

    def close(self) -> None:
        self.inner.close()


class RebalancingBus:
    def __init__(self, bus: EmbeddedBus) -> None:
        self.bus = bus
        self.consumers: list[RebalancingConsumer] = []

    def ensure_topics(self, topics: Any) -> None:
        self.bus.ensure_topics(topics)

    def producer(self) -> Any:
        return self.bus.producer()

    def consumer(self, group_id: str, topics: Sequence[str]) -> RebalancingConsumer:
        self.consumers.append(RebalancingConsumer(self.bus.consumer(group_id, topics)))
        return self.consumers[-1]


def test_the_batch_in_flight_is_committed_before_partitions_are_taken(tmp_path: Path) -> None:
    engine = _catalogue(tmp_path)
    bus = RebalancingBus(EmbeddedBus(tmp_path / "events.db"))
    sent = _published(bus.bus, 1, 50)
    consumer = InventoryConsumer(engine, bus, group_id=GROUP, batch_size=BATCH, poll_timeout_s=0.02)
    try:
        result = consumer.step()
        assert result is not None and sum(result.ingested.values()) == BATCH
        # the first batch's offsets went in inside the poll that took the group's rebalance
        # (before any partition changed hands), and only once
        assert bus.consumers[0].commits == [(BATCH, True)]
        assert consumer.drain() == sent - BATCH
        assert [offset for offset, _ in bus.consumers[0].commits][-1] == sent
        assert _count(engine, "SELECT count(*) FROM processed_event") == sent
    finally:
        consumer.close()
        engine.dispose()
