"""Test harness: an inventory wired on the embedded default (SQLite + embedded log) in a folder."""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from synthetic import register_scan_opds

from spbe_common.auth import Role
from spbe_common.bus import EmbeddedBus, publish
from spbe_common.db import begin_write
from spbe_common.events import Event, Topic
from spbe_inventory import migrate
from spbe_inventory.accounts import service as accounts
from spbe_inventory.api.app import create_app
from spbe_inventory.db import make_engine
from spbe_inventory.ingest.consumer import InventoryConsumer
from spbe_inventory.settings import InventorySettings


@dataclass
class InventoryHarness:
    settings: InventorySettings
    engine: Engine
    bus: EmbeddedBus
    client: TestClient
    consumer: InventoryConsumer

    def publish(self, events: Iterable[Event]) -> int:
        """Publish, after registering the OPD that the scans among them belong to."""
        events = list(events)
        register_scan_opds(self.engine, events)
        producer = self.bus.producer()
        count = publish(producer, events)
        producer.close()
        return count

    def send_raw(self, value: bytes, headers: list[tuple[str, bytes]]) -> None:
        producer = self.bus.producer()
        producer.send(Topic.EVENTS.value, None, value, headers)
        producer.close()

    def drain(self) -> int:
        return self.consumer.drain()

    def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(text(sql), params).mappings()]

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()


def grant(engine: Engine, role: Role = Role.ADMIN, opd: Sequence[str] = (), name: str = "") -> str:
    """A bearer token of a new token-only account with `role` (and OPD scope), made as
    `spbe users add` and `spbe tokens create` make them (no password: argon2 is slow on purpose)."""
    name = name or f"uji-{role.value.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
    with begin_write(engine) as conn:
        accounts.add_account(conn, name, role, list(opd), password=False)
        return accounts.create_token(conn, name)[1]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


_template: Path | None = None


def migrated_engine(database: Path) -> Engine:
    """An inventory catalogue at `database` (SQLite) as `migrate.upgrade` makes it, copied from one
    file migrated once per test run: the migrations take 0.2 s, hundreds of tests need them."""
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="spbe-migrated-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = make_engine(f"sqlite:///{folder / 'inventory.db'}")
        migrate.upgrade(template)  # the schema comes from the migrations, never from create_all
        template.dispose()  # the last connection closed: the WAL is folded into the file
        _template = folder / "inventory.db"
    database.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template, database)
    return make_engine(f"sqlite:///{database}")


def build_inventory(data_dir: Path, batch_size: int = 100) -> InventoryHarness:
    settings = InventorySettings(data_dir=data_dir, batch_size=batch_size, poll_timeout_s=0.01)
    engine = migrated_engine(settings.data_dir / "inventory.db")
    assert str(engine.url) == settings.db_url
    bus = EmbeddedBus(settings.log_path)
    consumer = InventoryConsumer(
        engine, bus, group_id=settings.consumer_group, batch_size=batch_size, poll_timeout_s=0.01
    )
    client = TestClient(create_app(settings, engine), headers=bearer(grant(engine)))
    return InventoryHarness(settings, engine, bus, client, consumer)


def log_drained(bus: EmbeddedBus, group: str) -> bool:
    """True when the group's committed offset is past the last record of the events topic."""
    conn = sqlite3.connect(bus.path)
    try:
        last = conn.execute(
            "SELECT max(offset) FROM records WHERE topic=?", (Topic.EVENTS.value,)
        ).fetchone()[0]
        row = conn.execute(
            "SELECT next_offset FROM consumer_offsets WHERE group_id=? AND topic=?",
            (group, Topic.EVENTS.value),
        ).fetchone()
    finally:
        conn.close()
    return row is not None and last is not None and row[0] > last


def catalogue_snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Everything a run decides, without ids that only reflect insertion order or wall-clock time."""
    queries = {
        "asset": "SELECT id, name, kind, hostname, mac, serial, opd_code, address, addresses, os_guess,"
        " vendor, lifecycle, first_seen, last_seen, scope, last_scan_id, identity_rule, fingerprint,"
        " observed, declared, updated_at FROM asset",
        "service": "SELECT asset_id, port, protocol, name, product, version, first_seen, last_seen FROM service",
        "history": "SELECT entity, entity_id, action, before, after, cause_kind, cause_id, at FROM history",
        "scan": "SELECT scan_id, scope, status, hosts_up, marked_missing FROM scan",
        "processed": "SELECT event_id FROM processed_event",
        "rejected": 'SELECT topic, "offset", reason FROM rejected_event',
    }
    with engine.connect() as conn:
        return {
            name: sorted(tuple(r) for r in conn.execute(text(sql))) for name, sql in queries.items()
        }


def web_session(
    engine: Engine, role: Role = Role.ADMIN, opd: Sequence[str] = (), name: str = ""
) -> tuple[str, str]:
    """(session cookie, CSRF token) of a new account signed in as /masuk signs in (the session
    row written directly: argon2 is slow on purpose and /masuk has tests of its own)."""
    from datetime import timedelta

    from spbe_common.auth import digest, new_secret
    from spbe_inventory.accounts import repository as accounts_repo
    from spbe_inventory.db import utcnow

    name = name or f"web-{role.value.replace('_', '-')}-{uuid.uuid4().hex[:6]}"
    secret, csrf = new_secret("s_"), uuid.uuid4().hex
    with begin_write(engine) as conn:
        accounts.add_account(conn, name, role, list(opd), password=False)
        row = accounts_repo.by_name(conn, name)
        assert row is not None
        now = utcnow()
        accounts_repo.insert_session(
            conn,
            {"digest": digest(secret), "account_id": row["id"], "csrf": csrf, "created_at": now,
             "expires_at": now + timedelta(hours=1)},
        )  # fmt: skip
    return secret, csrf
