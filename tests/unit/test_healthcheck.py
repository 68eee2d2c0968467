"""deploy/healthcheck.py (spbe-healthcheck in the image): the heartbeat mode the workers use."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "deploy" / "healthcheck.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("spbe_healthcheck", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


healthcheck = _load()


def _written_ago(path: Path, seconds: float) -> Path:
    path.write_text("2026-03-02T01:30:00+00:00 pid 1\n")
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def test_a_fresh_heartbeat_is_healthy(tmp_path: Path) -> None:
    path = _written_ago(tmp_path / "heartbeat", 5)
    assert healthcheck.main(["heartbeat", str(path), "60"]) == 0


def test_a_stale_heartbeat_is_unhealthy_and_says_how_old(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _written_ago(tmp_path / "heartbeat", 300)
    assert healthcheck.main(["heartbeat", str(path), "60"]) == 1
    assert "is 300s old (at most 60s allowed)" in capsys.readouterr().err


def test_no_heartbeat_yet_is_unhealthy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert healthcheck.main(["heartbeat", str(tmp_path / "missing"), "60"]) == 1
    assert "no heartbeat at" in capsys.readouterr().err


def test_a_heartbeat_from_the_future_is_fresh(tmp_path: Path) -> None:
    path = _written_ago(tmp_path / "heartbeat", -3600)  # a clock set back since
    assert healthcheck.main(["heartbeat", str(path), "60"]) == 0


@pytest.mark.parametrize("args", [["heartbeat"], ["heartbeat", "/x"], ["heartbeat", "/x", "soon"],
                                  ["heartbeat", "/x", "0"], ["heartbeat", "/x", "60", "more"]])  # fmt: skip
def test_wrong_arguments_print_the_usage(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert healthcheck.main(args) == 2
    assert "spbe-healthcheck heartbeat PATH MAX_AGE_S" in capsys.readouterr().err


def test_the_heartbeat_mode_needs_only_the_standard_library(tmp_path: Path) -> None:
    """-S -I: no site-packages, no PYTHONPATH; as the container runs it, by its path."""
    fresh = _written_ago(tmp_path / "fresh", 1)
    stale = _written_ago(tmp_path / "stale", 120)
    run = [sys.executable, "-S", "-I", str(SCRIPT), "heartbeat"]
    assert subprocess.run([*run, str(fresh), "90"], capture_output=True).returncode == 0
    result = subprocess.run([*run, str(stale), "90"], capture_output=True, text=True)
    assert result.returncode == 1 and "unhealthy: heartbeat at" in result.stderr
