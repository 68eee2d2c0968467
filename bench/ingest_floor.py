"""How fast embedded ingestion could be if the consumer's Python cost nothing: the SQLite floor.

Runs the workload of bench/ingest_embedded.py one scan round at a time through the real
consumer, recording every statement it sends to the catalogue (text, parameters, commits). Each
round's statements are then replayed on a copy of the catalogue as it was before that round,
through the bare `sqlite3` driver with the same pragmas: the time the database itself needs for
what the consumer asked of it. The embedded log's share is measured the same way: a bare read of
the round's records in batches, with the group's offset committed after each (synchronous=FULL,
as the log writes it). A warm-up replay, rolled back, fills the page cache first, as the
consumer's long-lived connection has it filled.

`ceiling_events_per_s` is what ingestion would reach with every line of Python free: an upper
bound for the current schema (its indexes, history, services and review rows) and statements.
Prints key=value lines per round (`round=N ...`) and for the whole workload, then `check=ok` when
every replayed copy ends with the row counts the consumer left (a replay that did nothing fails).
Run: .venv/bin/python bench/ingest_floor.py [--hosts 4000 --scans 5 --scopes 5]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from spbe_common import heap
from spbe_common.bus import EmbeddedBus, publish
from spbe_common.events import Event
from spbe_inventory import migrate
from spbe_inventory.db import make_engine
from spbe_inventory.ingest.consumer import InventoryConsumer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from synthetic import opd_codes, register_opd, scan_stream

ABSENT_EVERY = 50  # as bench/ingest_embedded.py
PRAGMAS = ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "cache_size=-65536")
COMMIT = "COMMIT"


@dataclass
class Recorder:
    """Statements as the consumer's driver received them: (sql, parameters, executemany)."""

    statements: list[tuple[str, Any, bool]] = field(default_factory=list)
    on: bool = False

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._execute)
        event.listen(engine, "commit", self._commit)

    def _execute(self, _conn: Any, _cur: Any, sql: str, params: Any, _ctx: Any, many: bool) -> None:
        if self.on:
            self.statements.append((sql, params, many))

    def _commit(self, _conn: Any) -> None:
        if self.on:
            self.statements.append((COMMIT, None, False))


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(f"PRAGMA {pragma}")
    return conn


def _run(conn: sqlite3.Connection, statements: list[tuple[str, Any, bool]], warm: bool) -> None:
    """The statements in order; a warm-up run skips commits and is rolled back at the end."""
    if warm:
        conn.execute("BEGIN")
    for sql, params, many in statements:
        if sql == COMMIT:
            if not warm:
                conn.execute(COMMIT)
        elif sql.startswith("BEGIN"):
            if not warm:
                conn.execute(sql)
        elif many:
            conn.executemany(sql, params)
        else:
            conn.execute(sql, params or ()).fetchall()
    if warm:
        conn.execute("ROLLBACK")


TABLES = ("asset", "service", "history", "asset_review", "processed_event", "scan")


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def replay(snapshot: Path, statements: list[tuple[str, Any, bool]]) -> float:
    """Seconds the statements take on `snapshot`, which they leave as the consumer left it."""
    conn = _connect(snapshot)
    try:
        _run(conn, statements, warm=True)
        started = time.perf_counter()
        _run(conn, statements, warm=False)
        return time.perf_counter() - started
    finally:
        conn.close()


def log_floor(log: Path, first_offset: int, count: int, batch: int) -> float:
    """A bare read of `count` records from `first_offset`, committing the offset per batch."""
    conn = sqlite3.connect(log, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    try:
        started = time.perf_counter()
        position, end = first_offset, first_offset + count
        while position < end:
            rows = conn.execute(
                "SELECT offset, key, value, headers FROM records"
                " WHERE topic=? AND offset>=? ORDER BY offset LIMIT ?",
                ("spbe.events", position, min(batch, end - position)),
            ).fetchall()
            position = rows[-1][0] + 1
            with conn:
                conn.execute(
                    "INSERT INTO consumer_offsets (group_id, topic, next_offset) VALUES (?,?,?)"
                    " ON CONFLICT (group_id, topic) DO UPDATE SET next_offset=excluded.next_offset",
                    ("floor", "spbe.events", position),
                )
        return time.perf_counter() - started
    finally:
        conn.close()


def snapshot(engine: Engine, target: Path) -> None:
    """A page-for-page copy of the catalogue (the backup API, so no rewrite changes its layout)."""
    source = engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        source.driver_connection.backup(copy)  # type: ignore[union-attr]
        copy.close()
    finally:
        source.close()


def rounds(workload: dict[str, int]) -> list[list[Event]]:
    out: list[list[Event]] = []
    for item in scan_stream(**workload):
        number = int(item.id.split("-")[1])  # scan-<round>-<scope>...
        while len(out) <= number:
            out.append([])
        out[number].append(item)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scopes", type=int, default=5)
    parser.add_argument("--hosts", type=int, default=4000)
    parser.add_argument("--scans", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    workload = {
        "scopes": args.scopes,
        "hosts": args.hosts,
        "scans": args.scans,
        "absent_every": ABSENT_EVERY,
    }
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        bus = EmbeddedBus(base / "events.db")
        producer = bus.producer()
        engine = make_engine(f"sqlite:///{base}/inventory.db")
        migrate.upgrade(engine)
        register_opd(engine, opd_codes(args.scopes))
        recorder = Recorder()
        recorder.attach(engine)
        consumer = InventoryConsumer(
            engine, bus, group_id="bench", batch_size=args.batch, poll_timeout_s=0.01
        )
        heap.settle()  # as `spbe consume` does once its consumer is built
        measured = []
        offset = 1  # the log's first offset (AUTOINCREMENT)
        for number, events in enumerate(rounds(workload)):
            publish(producer, events)
            producer.flush()
            before = base / f"before-{number}.db"
            snapshot(engine, before)
            recorder.statements, recorder.on = [], True
            started = time.perf_counter()
            while consumer.step() is not None:
                pass
            consumer_s = time.perf_counter() - started
            recorder.on = False
            measured.append((number, len(events), consumer_s, before, recorder.statements, offset))
            offset += len(events)
        consumer.close()
        after = base / "after.db"
        snapshot(engine, after)
        engine.dispose()
        totals = [0, 0.0, 0.0, 0.0]
        for number, count, consumer_s, before, statements, first in measured:
            expected = counts(
                base / f"before-{number + 1}.db" if number + 1 < len(measured) else after
            )
            sqlite_s = replay(before, statements)
            if counts(before) != expected:  # the replay must do what the consumer did
                sys.exit(
                    f"check=failed: round {number} replayed to {counts(before)}, not {expected}"
                )
            log_s = log_floor(base / "events.db", first, count, args.batch)
            floor_s = sqlite_s + log_s
            print(
                f"round={number} events={count} statements={len(statements)}"
                f" consumer_s={consumer_s:.2f} catalogue_sqlite_s={sqlite_s:.2f}"
                f" log_sqlite_s={log_s:.2f} sqlite_share={floor_s / consumer_s:.2f}"
                f" ceiling_events_per_s={count / floor_s:.0f}"
            )
            for i, value in enumerate((count, consumer_s, sqlite_s, log_s)):
                totals[i] += value
        count, consumer_s, sqlite_s, log_s = totals
        print(f"events={count:.0f}")
        print(f"consumer_s={consumer_s:.2f}")
        print(f"events_per_s={count / consumer_s:.0f}")
        print(f"catalogue_sqlite_s={sqlite_s:.2f}")
        print(f"log_sqlite_s={log_s:.2f}")
        print(f"sqlite_share={(sqlite_s + log_s) / consumer_s:.2f}")
        print(f"ceiling_events_per_s={count / (sqlite_s + log_s):.0f}")
        print("check=ok")


if __name__ == "__main__":
    main()
