"""The scheduler: run each scheduled scope's scan when due, until told to stop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from ..scopes.schemas import ValidatedScope
from .schemas import Schedule

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
RunScan = Callable[[ValidatedScope], object]
LoadScopes = Callable[[], list[ValidatedScope]]
_MAX_SLEEP_S = 60.0  # re-read the scopes at least this often


def _now() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    """Runs due scans one after another; a failing scan is logged and retried at its next time."""

    def __init__(self, load_scopes: LoadScopes, run_scan: RunScan, clock: Clock = _now) -> None:
        self._load_scopes = load_scopes
        self._run_scan = run_scan
        self._clock = clock
        self._next: dict[str, datetime] = {}
        self._schedules: dict[str, Schedule] = {}

    def due(self, now: datetime) -> list[ValidatedScope]:
        """Scopes whose time has come; a new or changed schedule starts counting from `now`."""
        ready: list[ValidatedScope] = []
        for scope in self._load_scopes():
            if scope.schedule is None:
                continue
            if self._schedules.get(scope.key) != scope.schedule:
                self._schedules[scope.key] = scope.schedule
                self._next[scope.key] = scope.schedule.next_after(now)
            if self._next[scope.key] <= now:
                ready.append(scope)
                self._next[scope.key] = scope.schedule.next_after(now)
        return ready

    def run_now(self, scope: ValidatedScope) -> None:
        """Scan one scope at once, outside its schedule (start-up, on demand)."""
        self._run_scan(scope)

    def run_pending(self) -> int:
        ran = 0
        for scope in self.due(self._clock()):
            try:
                self._run_scan(scope)
                ran += 1
            except Exception:  # one scope's failure never stops the others
                log.exception("scheduled scan of %s failed", scope.key)
        return ran

    def seconds_until_next(self) -> float:
        if not self._next:
            return _MAX_SLEEP_S
        wait = (min(self._next.values()) - self._clock()).total_seconds()
        return max(0.0, min(wait, _MAX_SLEEP_S))

    def run_forever(self, stop_event: threading.Event) -> None:
        """Loop until `stop_event` is set (the lead runs this in a thread in `spbe up`)."""
        while not stop_event.is_set():
            try:
                self.run_pending()
            except Exception:  # e.g. a broken scopes file: keep the loop alive, say why
                log.exception("scheduler could not load scopes")
            stop_event.wait(self.seconds_until_next() or 1.0)
