"""Shared helpers for the collector's unit tests (no network, no nmap, no bus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from spbe_common.events import Headers, from_binary
from spbe_common.events.envelope import Event

DATA = Path(__file__).resolve().parents[2] / "data"


class MemoryProducer:
    """A Producer that keeps records in memory and decodes them back for assertions."""

    def __init__(self) -> None:
        self.records: list[tuple[str, bytes | None, bytes, Headers]] = []
        self.flushes = 0

    def send(self, topic: str, key: bytes | None, value: bytes, headers: Headers) -> None:
        self.records.append((topic, key, value, headers))

    def flush(self) -> None:
        self.flushes += 1

    def close(self) -> None:
        pass

    def events(self) -> list[Event]:
        return [from_binary(headers, value) for _t, _k, value, headers in self.records]


@pytest.fixture
def producer() -> MemoryProducer:
    return MemoryProducer()


@pytest.fixture
def data_dir() -> Path:
    return DATA
