"""Shared fixtures. The harness itself is in tests/harness.py (importable from tests)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import InventoryHarness, build_inventory


@pytest.fixture
def inventory(tmp_path: Path) -> Iterator[InventoryHarness]:
    harness = build_inventory(tmp_path)
    yield harness
    harness.consumer.close()
    harness.engine.dispose()
