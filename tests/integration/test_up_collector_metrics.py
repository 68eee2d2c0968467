"""`spbe up` serves the collector's /metrics on SPBE_COLLECTOR_METRICS_PORT while its collector
job runs, and stops serving it with the job; it names the three /metrics addresses."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from spbe_cli.jobs import collector_job, metrics_addresses
from spbe_common.db import begin_write
from spbe_inventory import migrate
from spbe_inventory.db import make_engine
from spbe_inventory.sample.service import load_sample
from spbe_inventory.settings import InventorySettings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """What `spbe up` reads: SPBE_* pointing at a fresh SQLite catalogue in tmp_path."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("SPBE_DATABASE_URL", "SPBE_INVENTORY_URL", "SPBE_INVENTORY_TOKEN",
                 "SPBE_SCORER_DATABASE_URL", "SPBE_ENVIRONMENT", "SPBE_BUS",
                 "SPBE_COLLECTOR_METRICS_HOST"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the developer
    monkeypatch.setenv("SPBE_DATA_DIR", str(data))
    monkeypatch.setenv("SPBE_EVENT_LOG_PATH", str(tmp_path / "events.db"))
    monkeypatch.setenv("SPBE_API_PORT", str(free_port()))  # nobody answers: no scan starts
    engine = make_engine(InventorySettings().db_url)
    migrate.upgrade(engine)
    with begin_write(engine) as conn:
        load_sample(conn)
    yield engine
    engine.dispose()


def wait_for_metrics(url: str) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            return httpx.get(url, timeout=2).raise_for_status().text
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within 20 s")


def test_the_collector_job_serves_its_metrics_until_stopped(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("SPBE_COLLECTOR_METRICS_PORT", str(port))
    url = f"http://127.0.0.1:{port}/metrics"
    assert metrics_addresses()["collector"] == url
    stop = threading.Event()
    job = threading.Thread(target=collector_job, args=(stop,), daemon=True)
    job.start()
    try:
        text = wait_for_metrics(url)
    finally:
        stop.set()
        job.join(timeout=30)
    assert not job.is_alive()
    assert 'spbe_collector_scans_total{outcome="complete",profile="discovery"} 0.0' in text
    with pytest.raises(httpx.ConnectError):  # stopped with the job
        httpx.get(url, timeout=2)


def test_port_zero_turns_the_collector_metrics_off(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPBE_COLLECTOR_METRICS_PORT", "0")
    monkeypatch.setenv("SPBE_SCORER_API_PORT", "8102")
    addresses = metrics_addresses()
    assert addresses["collector"] == "off"
    assert addresses["scorer"] == "http://127.0.0.1:8102/metrics"
    assert addresses["inventory"].endswith("/metrics")
