"""A full or read-only catalogue database or event log stops ingestion only while it lasts: the
same consumer retries with back-off and catches up afterwards, without a restart.

Disk full is real: the file lives on a size-limited tmpfs mounted for the test, filled by a
ballast file. Read-only is `PRAGMA query_only` on the open connections: Linux refuses to remount
a file system read-only while a process holds files open for writing (EBUSY), and `chattr +i`
does not affect descriptors already open; query_only makes SQLite fail every write with
SQLITE_READONLY, the error a read-only file system gives.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e.test_poison_events import Running, seed_opd, valid_scan
from harness import log_drained
from prometheus_client import CollectorRegistry
from sqlalchemy import event, text

from spbe_common.bus import EmbeddedBus, publish
from spbe_common.events import Topic
from spbe_inventory import migrate
from spbe_inventory.db import make_engine
from spbe_inventory.ingest.consumer import InventoryConsumer
from spbe_inventory.ingest.metrics import IngestMetrics

HOSTS = 150
GROUP = "recovery"


def _mount(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    yield from _mount(tmp_path / "small", "6m")


def fill(disk: Path) -> Path:
    """Write a ballast file until the disk is full; deleting it frees the disk again."""
    ballast = disk / "ballast"
    with ballast.open("wb", buffering=0) as out:
        for chunk in (1 << 16, 512):  # then the last partial blocks too
            try:
                while out.write(b"\0" * chunk):
                    pass
            except OSError:
                pass
    return ballast


def truncate_wal(path: Path) -> None:
    """Checkpoint and empty the log's WAL, so its next write needs new disk space."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


class Catalogue:
    def __init__(self, db: Path, log: Path) -> None:
        self.engine = make_engine(f"sqlite:///{db}")
        migrate.upgrade(self.engine)
        seed_opd(self.engine)
        self.bus = EmbeddedBus(log)
        self.metrics = IngestMetrics(CollectorRegistry())
        self.consumer = InventoryConsumer(
            self.engine, self.bus, group_id=GROUP, batch_size=20, poll_timeout_s=0.02,
            metrics=self.metrics, backoff_s=(0.05, 0.2),
        )  # fmt: skip

    def publish_scans(self, count: int) -> int:
        producer = self.bus.producer()
        sent = sum(publish(producer, valid_scan(i, HOSTS)) for i in range(count))
        producer.close()
        return sent

    def processed(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM processed_event")).scalar_one())

    def failures(self) -> float:
        return self.metrics.failures._value.get()

    def close(self) -> None:
        self.consumer.close()
        self.engine.dispose()


def _recovers(catalogue: Catalogue, sent: int, outage: Callable[[], Callable[[], None]]) -> None:
    """Start the consumer inside the outage; it fails and waits; after the outage it catches up."""
    end_outage = outage()
    running = Running.start(catalogue.consumer)
    running.wait_for(lambda: catalogue.failures() >= 3, 20, "failed attempts during the outage")
    stuck = catalogue.processed()
    assert stuck < sent
    end_outage()
    running.wait_for(lambda: log_drained(catalogue.bus, GROUP), 30, "the log to be drained")
    running.finish()
    assert catalogue.processed() == sent


def test_a_full_catalogue_disk_is_waited_out(tmp_path: Path, small_disk: Path) -> None:
    catalogue = Catalogue(small_disk / "inventory.db", tmp_path / "events.db")
    sent = catalogue.publish_scans(8)

    def outage() -> Callable[[], None]:
        ballast = fill(small_disk)
        return ballast.unlink

    try:
        _recovers(catalogue, sent, outage)
    finally:
        catalogue.close()


def test_a_full_event_log_disk_is_waited_out(tmp_path: Path, small_disk: Path) -> None:
    catalogue = Catalogue(tmp_path / "inventory.db", small_disk / "events.db")
    sent = catalogue.publish_scans(3)

    def outage() -> Callable[[], None]:
        truncate_wal(small_disk / "events.db")
        ballast = fill(small_disk)
        return ballast.unlink

    try:
        _recovers(catalogue, sent, outage)
        assert catalogue.bus.count(Topic.EVENTS.value) == sent
    finally:
        catalogue.close()


def _query_only(dbapi_conn: Any, flag: bool) -> None:
    dbapi_conn.execute(f"PRAGMA query_only={int(flag)}")


def test_a_read_only_catalogue_recovers_when_writable_again(tmp_path: Path) -> None:
    catalogue = Catalogue(tmp_path / "inventory.db", tmp_path / "events.db")
    sent = catalogue.publish_scans(3)
    read_only = [True]

    def on_checkout(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        _query_only(dbapi_conn, read_only[0])  # every transaction of the consumer checks out

    event.listen(catalogue.engine, "checkout", on_checkout)

    def outage() -> Callable[[], None]:
        return lambda: read_only.__setitem__(0, False)

    try:
        _recovers(catalogue, sent, outage)
    finally:
        event.remove(catalogue.engine, "checkout", on_checkout)
        catalogue.close()


def test_a_read_only_event_log_recovers_when_writable_again(tmp_path: Path) -> None:
    catalogue = Catalogue(tmp_path / "inventory.db", tmp_path / "events.db")
    sent = catalogue.publish_scans(3)
    consumer: Any = catalogue.consumer  # its log connections, reached for the test only
    log_conns = [consumer._consumer._conn, consumer._producer._conn]

    def writable() -> None:
        for conn in log_conns:
            _query_only(conn, False)

    def outage() -> Callable[[], None]:
        for conn in log_conns:
            _query_only(conn, True)
        return writable

    try:
        _recovers(catalogue, sent, outage)
    finally:
        catalogue.close()
