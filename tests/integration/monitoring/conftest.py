"""The monitoring stack (stack.py), started once per session: Prometheus and the SPBE processes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from integration.monitoring.stack import Stack, running_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("monitoring")) as started:
        yield started
