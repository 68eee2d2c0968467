"""The consumer killed with SIGKILL mid-stream and restarted ends with exactly the catalogue of an
uninterrupted run: nothing lost, nothing doubled in history."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from harness import build_inventory, catalogue_snapshot, log_drained
from sqlalchemy import text
from synthetic import scan_stream


def stream() -> list:
    events = list(scan_stream(scopes=3, hosts=250, scans=4, absent_every=10, partial_every=3))
    return events + events[100:400]  # a producer retry re-sends part of the stream


def _count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def _start_consumer(data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SPBE_DATA_DIR": str(data_dir),
        "SPBE_BATCH_SIZE": "25",
        "SPBE_POLL_TIMEOUT_S": "0.05",
    }
    return subprocess.Popen([sys.executable, "-m", "spbe_cli", "consume"], env=env)


def _wait_for(engine, target: int, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while _count(engine, "SELECT count(*) FROM processed_event") < target:
        assert proc.poll() is None, "the consumer died on its own"
        assert time.monotonic() < deadline, "the consumer made no progress"
        time.sleep(0.02)


def test_sigkill_mid_stream_then_restart_gives_the_uninterrupted_catalogue(tmp_path):
    events = stream()
    unique = len({e.id for e in events})

    reference = build_inventory(tmp_path / "reference", batch_size=25)
    reference.publish(events)
    reference.drain()
    expected = catalogue_snapshot(reference.engine)

    crashed = build_inventory(tmp_path / "crashed", batch_size=25)
    crashed.publish(events)
    for fraction in (0.25, 0.6):
        proc = _start_consumer(tmp_path / "crashed")
        _wait_for(crashed.engine, int(unique * fraction), proc)
        proc.send_signal(signal.SIGKILL)  # no clean-up of any kind
        proc.wait()
    processed_at_kill = _count(crashed.engine, "SELECT count(*) FROM processed_event")
    assert processed_at_kill < unique, "the kill came after the end of the stream"

    proc = _start_consumer(tmp_path / "crashed")
    try:
        _wait_for(crashed.engine, unique, proc)
        deadline = time.monotonic() + 60
        while not log_drained(crashed.bus, crashed.settings.consumer_group):
            assert time.monotonic() < deadline, "offsets never caught up"
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0  # SIGTERM is a graceful stop

    assert catalogue_snapshot(crashed.engine) == expected
