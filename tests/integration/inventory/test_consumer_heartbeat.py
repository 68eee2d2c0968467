"""SPBE_HEARTBEAT_FILE on the real consumer (`spbe consume`'s wiring, real PostgreSQL, the
embedded log): fresh while it folds events or waits for them, stale while its database is away,
fresh again once it is back. The container health check reads exactly this file."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from integration.outage import database_refusing_connections
from sqlalchemy import text
from synthetic import register_opd, scan_stream

from spbe_common import heartbeat
from spbe_common.bus import publish
from spbe_common.events import Event
from spbe_common.settings import BusBackend
from spbe_inventory.runtime import Inventory
from spbe_inventory.settings import InventorySettings

HEALTHCHECK = Path(__file__).resolve().parents[3] / "deploy" / "healthcheck.py"
PROCESSED = "SELECT count(*) FROM processed_event"


def healthy(path: Path, max_age_s: float) -> bool:
    """What the container health check answers (the script itself, as compose runs it)."""
    argv = [sys.executable, str(HEALTHCHECK), "heartbeat", str(path), str(max_age_s)]
    return subprocess.run(argv, capture_output=True).returncode == 0


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def database_down(url: str) -> AbstractContextManager[None]:
    """The consumer's database refuses connections and its sessions are cut."""
    return database_refusing_connections(url)


def test_the_heartbeat_is_fresh_while_consuming_and_stale_while_the_database_is_away(
    tmp_path: Path, fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(heartbeat, "DEFAULT_EVERY_S", 0.2)  # a beat per 5 s would make this slow
    beat = tmp_path / "heartbeat"
    settings = InventorySettings(
        data_dir=tmp_path,
        bus=BusBackend.EMBEDDED,
        database_url=fresh_database_url,
        heartbeat_file=beat,
        batch_size=20,
        poll_timeout_s=0.05,
    )
    inventory = Inventory.build(settings)
    inventory.migrate()
    register_opd(inventory.engine)
    events = list(scan_stream(scopes=2, hosts=20, scans=2))
    half = len(events) // 2

    def processed() -> int:
        with inventory.engine.connect() as conn:
            return int(conn.execute(text(PROCESSED)).scalar_one())

    def failures() -> float:
        sample = inventory.registry.get_sample_value("spbe_inventory_batch_failures_total")
        return sample or 0.0

    def send(batch: list[Event]) -> None:
        producer = inventory.bus.producer()
        publish(producer, batch)
        producer.close()

    consumer = inventory.consumer()
    assert not healthy(beat, 2)  # nothing done yet: no file
    stop = threading.Event()
    loop = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    loop.start()
    try:
        wait_until(lambda: healthy(beat, 1), 5, "a beat of the idle consumer")
        send(events[:half])
        wait_until(lambda: processed() == half and healthy(beat, 1), 10, "the first half folded")

        with database_down(fresh_database_url):
            # idle: its empty polls beat only while the database answers
            wait_until(lambda: not healthy(beat, 1), 5, "the heartbeat to go stale")
            last = beat.stat().st_mtime
            failed = failures()
            send(events[half:])  # the stream goes on: every batch fails and is retried
            wait_until(lambda: failures() > failed, 5, "a failed batch")
            assert beat.stat().st_mtime == last
            assert loop.is_alive()

        wait_until(lambda: processed() == len(events), 10, "the rest once the database is back")
        wait_until(lambda: healthy(beat, 1), 5, "the heartbeat to be fresh again")
    finally:
        stop.set()
        loop.join(timeout=10)
        consumer.close()
        inventory.engine.dispose()
