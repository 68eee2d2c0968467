"""A worker's proof of life: a file whose modification time says when it last did its work.

The container health check (`spbe-healthcheck heartbeat PATH MAX_AGE_S`) reads only the file's
age, so a worker that is stuck, retrying against a dead database or crash-looping goes unhealthy
even while its broker answers. Off unless SPBE_HEARTBEAT_FILE names the file.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from .files import write_atomically
from .settings import BusSettings

log = logging.getLogger(__name__)
DEFAULT_EVERY_S = 5.0  # the health checks allow a minute or more: a write per 5 s is plenty


class Heartbeat:
    """Writes the time to `path` (temporary file + os.replace: never half written), at most once
    every `every_s` seconds however often `beat` is called; safe to share between threads."""

    def __init__(
        self,
        path: Path,
        every_s: float = DEFAULT_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self._every = every_s
        self._clock = clock
        self._last: float | None = None
        self._lock = threading.Lock()
        self._forget_previous_life()

    @classmethod
    def from_settings(cls, settings: BusSettings) -> Heartbeat | None:
        """The heartbeat SPBE_HEARTBEAT_FILE asks for; None (no heartbeat) when it is not set."""
        path = settings.heartbeat_file
        # DEFAULT_EVERY_S is read at each call, not bound as a default: tests shorten it
        return cls(path, DEFAULT_EVERY_S) if path is not None else None

    def due(self) -> bool:
        """Would `beat` write now? (lets a worker check its database only when it will beat)"""
        with self._lock:
            return self._last is None or self._clock() - self._last >= self._every

    def beat(self) -> None:
        with self._lock:
            now = self._clock()
            if self._last is not None and now - self._last < self._every:
                return
            self._last = now
            try:
                self._write()
            except OSError as exc:  # the health check will call it stale: say why, keep working
                log.warning("heartbeat %s not written: %s", self.path, exc.strerror or exc)

    def _write(self) -> None:
        now = f"{datetime.now(UTC).isoformat()} pid {os.getpid()}\n"
        write_atomically(self.path, now, durable=False)  # only its age matters, never a power cut

    def _forget_previous_life(self) -> None:
        """A file left by the previous process (a volume survives a restart) proves nothing of
        this one: unhealthy until its own first beat."""
        try:
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("old heartbeat %s not removed: %s", self.path, exc.strerror or exc)
