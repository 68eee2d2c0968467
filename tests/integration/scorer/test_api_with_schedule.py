"""`spbe score api --schedule` (what compose runs): one process serves the scorer API and scores
on the schedule, so the one /metrics Prometheus scrapes counts the schedule's runs. Here the
inventory it reads is down: the round fails, is counted, and the API keeps answering."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_api_process_also_runs_the_schedule_and_counts_its_rounds(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPBE_")}
    env.update(
        SPBE_ENVIRONMENT="development",
        SPBE_DATA_DIR=str(tmp_path),
        SPBE_SCORER_API_HOST="127.0.0.1",
        SPBE_SCORER_API_PORT=str(port),
        SPBE_INVENTORY_URL=f"http://127.0.0.1:{free_port()}",  # nothing listens there
        SPBE_SCORER_FRAMEWORKS='["spbe-2020"]',
        SPBE_SCORER_EVERY_MINUTES="60",
    )
    log = (tmp_path / "scorer.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "spbe_cli", "score", "api", "--schedule"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    failed = 'spbe_scorer_runs_total{framework="spbe-2020",outcome="failed"} 1.0'
    text = ""
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and failed not in text:
            assert process.poll() is None, (tmp_path / "scorer.log").read_text()[-2000:]
            with contextlib.suppress(httpx.HTTPError):  # not listening yet
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            time.sleep(0.3)
        assert failed in text, (tmp_path / "scorer.log").read_text()[-2000:]
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
        assert health.status_code == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            # SIGTERM ends the API (gracefully; uvicorn then re-raises it) and the schedule
            assert process.wait(timeout=30) in (0, -signal.SIGTERM)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            log.close()
