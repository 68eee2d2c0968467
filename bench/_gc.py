"""Seconds spent in CPython's cyclic garbage collector during a measured phase (`gc_s`)."""

from __future__ import annotations

import gc
import time
from typing import Any


class CollectionTimer:
    """Adds up the collector's runs while the `with` block is active."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self._started: float | None = None

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.seconds += time.perf_counter() - self._started
            self.collections += 1
            self._started = None

    def __enter__(self) -> CollectionTimer:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)
