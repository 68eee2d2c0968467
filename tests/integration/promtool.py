"""`promtool check metrics` (Debian's prometheus package) over a service's real /metrics text."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def promtool_path() -> str:
    """A failure in CI (CI=true), a skip elsewhere, when promtool is not installed."""
    path = shutil.which("promtool")
    if path is None:
        message = "promtool is not installed (apt-get install -y prometheus)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def check_metrics(exposition: str) -> None:
    """Fails with promtool's findings (lint problems included) unless it accepts `exposition`."""
    done = subprocess.run(
        [promtool_path(), "check", "metrics"],
        input=exposition,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, f"promtool check metrics:\n{done.stdout}{done.stderr}"
