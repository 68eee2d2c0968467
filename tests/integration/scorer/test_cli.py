"""`spbe score` commands against a real inventory API on loopback (uvicorn in a thread)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from spbe_scorer.cli import app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inventory_url(inventory_client: TestClient) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(inventory_client.app, host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def env(
    tmp_path: Path, inventory_url: str, scorer_token: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    values = {
        "SPBE_DATA_DIR": str(tmp_path / "scorer"),
        "SPBE_EVENT_LOG_PATH": str(tmp_path / "events.db"),
        "SPBE_INVENTORY_URL": inventory_url,
        "SPBE_INVENTORY_TOKEN": scorer_token,  # the scorer's service account
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SPBE_SCORER_DATABASE_URL", raising=False)
    return values


def invoke(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_assess_run_runs_compare_export(env: dict[str, str], tmp_path: Path) -> None:
    assessed = invoke("assess", "1", "3", "-f", "spbe-2020", "-j", "Perbup 5/2024", "-e", "Bappeda")
    assert "entered" in assessed
    first = json.loads(invoke("run", "--framework", "spbe-2020", "--json"))
    rows = {r["indicator"]: r for r in first["indicators"]}
    assert (rows["1"]["level"], rows["1"]["source"]) == (3, "manual")
    assert "replaced" in invoke("assess", "1", "4", "-f", "spbe-2020", "-j", "Perbup 6", "-e", "X1")
    second = invoke("run", "-f", "spbe-2020")
    assert "index" in second
    listed = invoke("runs")
    assert first["id"] in listed
    second_id = second.split()[1]
    changes = invoke("compare", first["id"], second_id)
    assert "delta 0.01" in changes  # indicator 1 (weight 1.30) went from 3 to 4
    assert changes.count("manual") == 1
    out = tmp_path / "run.xlsx"
    invoke("export", first["id"], str(out))
    book = load_workbook(out)
    assert book.sheetnames[0] == "Ringkasan" and len(book.sheetnames) == 5


def test_bad_input_exits_2_and_an_unreachable_inventory_exits_1(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "spbe-1999" in invoke("run", "-f", "spbe-1999", code=2)
    assert "outside 1..5" in invoke("assess", "1", "9", "-f", "spbe-2020", "-j", "x" * 5,
                                    "-e", "Bappeda", code=2)  # fmt: skip
    assert "not found" in invoke("export", "no-such-run", "x.xlsx", code=2)
    monkeypatch.setenv("SPBE_INVENTORY_TOKEN", "spbe_not-a-token-the-inventory-issued")
    assert "SPBE_INVENTORY_TOKEN" in invoke("run", "-f", "spbe-2020", code=1)  # 401
    monkeypatch.delenv("SPBE_INVENTORY_TOKEN")
    assert "SPBE_INVENTORY_TOKEN" in invoke("run", "-f", "spbe-2020", code=1)
    monkeypatch.setenv("SPBE_INVENTORY_URL", f"http://127.0.0.1:{free_port()}")
    assert "unreachable" in invoke("run", "-f", "spbe-2020", code=1)


def test_schedule_scores_until_sigterm(env: dict[str, str], tmp_path: Path) -> None:
    command = [sys.executable, "-c", "from spbe_scorer.cli import app; app()", "schedule",
               "--every", "0.005", "-f", "spbe-2020", "-f", "pemdi-2026"]  # fmt: skip
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and stored < 2:
        time.sleep(0.5)
        stored = int(invoke("runs", "-f", "pemdi-2026").split(" of ")[1].split(")")[0])
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "spbe-2020: run" in stderr and "pemdi-2026: run" in stderr
    assert stored >= 2
