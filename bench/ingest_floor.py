"""How fast ingestion could be if the consumer's Python cost nothing: the database's floor.

Runs the workload of bench/ingest_embedded.py one scan round at a time through the real
consumer, recording every statement it sends to the catalogue (text, parameters, commits). Each
round's statements are then replayed on a copy of the catalogue as it was before that round,
through the bare driver (`sqlite3`, or psycopg with `--postgres`): the time the database itself
needs for what the consumer asked of it. The embedded log's share is measured the same way: a
bare read of the round's records in batches, the group's offset committed after each
(synchronous=FULL, as the log writes it). On the Kafka path, kafka-python's own cost takes the
log's place: `raw_consume_per_s` of bench/ingest_kafka.py.

`ceiling_events_per_s` is what ingestion would reach with every line of Python free: an upper
bound for the current schema (its indexes, history, services and review rows) and statements.
Prints key=value lines per round (`round=N ...`) and for the whole workload, then `check=ok` when
every replayed copy ends with the row counts the consumer left (a replay that did nothing fails).
Run: .venv/bin/python bench/ingest_floor.py [--hosts 4000 --scans 5 --scopes 5]
     [--postgres [SERVER_URL]] (default server: the local one, started by deploy/local)
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import URL, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from spbe_common import heap
from spbe_common.bus import EmbeddedBus, publish
from spbe_common.bus.embedded import _connect as connect_log
from spbe_common.db import _sqlite_pragmas
from spbe_common.events import Event, Topic
from spbe_inventory import migrate
from spbe_inventory.db import make_engine
from spbe_inventory.ingest.consumer import InventoryConsumer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from ingest_embedded import ABSENT_EVERY
from ingest_kafka import drop_database, local_servers
from synthetic import opd_codes, register_opd, scan_stream

COMMIT = "COMMIT"
TABLES = ("asset", "service", "history", "asset_review", "processed_event", "scan")
Statements = list[tuple[str, Any, bool]]  # (sql, parameters, executemany), or a COMMIT


@dataclass
class Recorder:
    """Statements as the consumer's driver received them: (sql, parameters, executemany)."""

    statements: Statements = field(default_factory=list)
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
    """A bare connection with the pragmas the service's own connections get."""
    conn = sqlite3.connect(path)
    _sqlite_pragmas(conn, None)
    return conn


def _run(cursor: Any, statements: Statements, commit: Callable[[], None] | None) -> None:
    """The statements in order, committing where the consumer did (None: never)."""
    for sql, params, many in statements:
        if sql == COMMIT:
            if commit is not None:
                commit()
        elif sql.startswith("BEGIN"):
            if commit is not None:
                cursor.execute(sql)
        elif many:
            cursor.executemany(sql, params)
        else:
            cursor.execute(sql, params or ())
            if cursor.description is not None:
                cursor.fetchall()


class SqliteCatalogue:
    """The embedded default: snapshots are page-for-page copies (the backup API, so no rewrite
    changes the layout); a warm-up replay, rolled back, fills the page cache first, as the
    consumer's long-lived connection has it filled."""

    name = "sqlite"

    def __init__(self, base: Path) -> None:
        self.base = base
        self.engine = make_engine(f"sqlite:///{base}/inventory.db")

    def snapshot(self, label: str) -> Path:
        target = self.base / f"{label}.db"
        source = self.engine.raw_connection()
        try:
            copy = sqlite3.connect(target)
            source.driver_connection.backup(copy)  # type: ignore[union-attr]
            copy.close()
        finally:
            source.close()
        return target

    def replay(self, snapshot: Path, statements: Statements) -> float:
        conn = _connect(snapshot)
        try:
            cursor = conn.cursor()
            conn.execute("BEGIN")
            _run(cursor, statements, None)
            conn.execute("ROLLBACK")
            started = time.perf_counter()
            _run(cursor, statements, conn.commit)
            return time.perf_counter() - started
        finally:
            conn.close()

    def counts(self, snapshot: Path) -> dict[str, int]:
        conn = sqlite3.connect(snapshot)
        try:
            return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        finally:
            conn.close()

    def close(self) -> None:
        self.engine.dispose()


class PostgresCatalogue:
    """PostgreSQL (as deployments run it): snapshots are databases made from the catalogue's
    as a template; no warm-up replay (a rolled-back one would leave dead rows behind), the
    tables are read once instead."""

    name = "postgresql"

    def __init__(self, server_url: str) -> None:
        self.server = make_url(server_url)
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.database = f"spbe_floor_{uuid.uuid4().hex[:10]}"
        self.made: list[str] = []
        self._create(self.database)
        self.engine = make_engine(self._url(self.database).render_as_string(hide_password=False))

    def _url(self, database: str) -> URL:
        return self.server.set(database=database)

    def _create(self, database: str, template: str | None = None) -> None:
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"{clause}'))
        self.made.append(database)

    def snapshot(self, label: str) -> str:
        self.engine.dispose()  # a template may have no other session
        copy = f"{self.database}_{label}".replace("-", "_")
        self._create(copy, self.database)
        return copy

    def _connect(self, database: str) -> Any:
        import psycopg

        url = self._url(database).set(drivername="postgresql")
        return psycopg.connect(url.render_as_string(hide_password=False))

    def replay(self, snapshot: str, statements: Statements) -> float:
        conn = self._connect(snapshot)
        try:
            with conn.cursor() as cursor:
                for table in TABLES:
                    cursor.execute(f"SELECT * FROM {table}").fetchall()
                conn.commit()
                started = time.perf_counter()
                _run(cursor, statements, conn.commit)
                return time.perf_counter() - started
        finally:
            conn.close()

    def counts(self, snapshot: str) -> dict[str, int]:
        conn = self._connect(snapshot)
        try:
            with conn.cursor() as cursor:
                return {
                    t: cursor.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES
                }
        finally:
            conn.close()

    def close(self) -> None:
        self.engine.dispose()
        for database in reversed(self.made):
            drop_database(self.admin, database)
        self.admin.dispose()


def log_floor(log: Path, first_offset: int, count: int, batch: int) -> float:
    """A bare read of `count` records from `first_offset`, committing the offset per batch."""
    conn = connect_log(log)  # the log's own connection: WAL, synchronous=FULL
    topic = Topic.EVENTS.value
    try:
        started = time.perf_counter()
        position, end = first_offset, first_offset + count
        while position < end:
            rows = conn.execute(
                "SELECT offset, key, value, headers FROM records"
                " WHERE topic=? AND offset>=? ORDER BY offset LIMIT ?",
                (topic, position, min(batch, end - position)),
            ).fetchall()
            position = rows[-1][0] + 1
            with conn:
                conn.execute(
                    "INSERT INTO consumer_offsets (group_id, topic, next_offset) VALUES (?,?,?)"
                    " ON CONFLICT (group_id, topic) DO UPDATE SET next_offset=excluded.next_offset",
                    ("floor", topic, position),
                )
        return time.perf_counter() - started
    finally:
        conn.close()


class Round(NamedTuple):
    """One scan round as the consumer folded it, and what it sent to the catalogue."""

    number: int
    events: int
    consumer_s: float
    before: Path | str  # the catalogue's snapshot before the round (a file, a database)
    statements: Statements
    first_offset: int


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
    parser.add_argument(
        "--postgres",
        nargs="?",
        const="local",
        metavar="SERVER_URL",
        help="the catalogue on PostgreSQL (default server: the local one of deploy/local)",
    )
    args = parser.parse_args()
    workload = {
        "scopes": args.scopes,
        "hosts": args.hosts,
        "scans": args.scans,
        "absent_every": ABSENT_EVERY,
    }
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        catalogue: SqliteCatalogue | PostgresCatalogue
        if args.postgres is None:
            catalogue = SqliteCatalogue(base)
        else:
            server = args.postgres
            if server == "local":
                server = local_servers()["SPBE_TEST_DATABASE_URL"]
            catalogue = PostgresCatalogue(server)
        try:
            measure(catalogue, base, workload, args.batch)
        finally:
            catalogue.close()


def measure(
    catalogue: SqliteCatalogue | PostgresCatalogue,
    base: Path,
    workload: dict[str, int],
    batch: int,
) -> None:
    bus = EmbeddedBus(base / "events.db")
    producer = bus.producer()
    engine = catalogue.engine
    migrate.upgrade(engine)
    register_opd(engine, opd_codes(workload["scopes"]))
    recorder = Recorder()
    recorder.attach(engine)
    consumer = InventoryConsumer(
        engine, bus, group_id="bench", batch_size=batch, poll_timeout_s=0.01
    )
    heap.settle()  # as `spbe consume` does once its consumer is built
    measured: list[Round] = []
    offset = 1  # the log's first offset (AUTOINCREMENT)
    for number, events in enumerate(rounds(workload)):
        publish(producer, events)
        producer.flush()
        before = catalogue.snapshot(f"before-{number}")
        recorder.statements, recorder.on = [], True
        started = time.perf_counter()
        while consumer.step() is not None:
            pass
        consumer_s = time.perf_counter() - started
        recorder.on = False
        measured.append(Round(number, len(events), consumer_s, before, recorder.statements, offset))
        offset += len(events)
    consumer.close()
    producer.close()
    # what the consumer left after a round: the snapshot before the next one
    afters = [r.before for r in measured[1:]] + [catalogue.snapshot("after")]
    print(f"database={catalogue.name}")
    db_total = log_total = 0.0
    for round_, after in zip(measured, afters, strict=True):
        expected = catalogue.counts(after)
        db_s = catalogue.replay(round_.before, round_.statements)
        replayed = catalogue.counts(round_.before)
        if replayed != expected:  # the replay must do what the consumer did
            sys.exit(f"check=failed: round {round_.number} replayed to {replayed}, not {expected}")
        log_s = log_floor(base / "events.db", round_.first_offset, round_.events, batch)
        floor_s = db_s + log_s
        print(
            f"round={round_.number} events={round_.events} statements={len(round_.statements)}"
            f" consumer_s={round_.consumer_s:.2f} catalogue_db_s={db_s:.2f} log_db_s={log_s:.2f}"
            f" db_share={floor_s / round_.consumer_s:.2f}"
            f" ceiling_events_per_s={round_.events / floor_s:.0f}"
        )
        db_total += db_s
        log_total += log_s
    count = sum(r.events for r in measured)
    consumer_s = sum(r.consumer_s for r in measured)
    print(f"events={count}")
    print(f"consumer_s={consumer_s:.2f}")
    print(f"events_per_s={count / consumer_s:.0f}")
    print(f"catalogue_db_s={db_total:.2f}")
    print(f"log_db_s={log_total:.2f}")
    print(f"db_share={(db_total + log_total) / consumer_s:.2f}")
    print(f"ceiling_events_per_s={count / (db_total + log_total):.0f}")
    print("check=ok")


if __name__ == "__main__":
    main()
