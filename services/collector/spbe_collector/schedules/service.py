"""The scheduler: run each scheduled scope's scan (or probe's round) when due, until stopped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Generic, Protocol, TypeVar

from spbe_common.heartbeat import Heartbeat

from ..scopes.schemas import ValidatedScope
from .repository import LastRuns
from .schemas import Schedule

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
_MAX_SLEEP_S = 60.0  # re-read the scopes at least this often
# a failed run (the broker or the network away for a while) is tried again after a minute, then
# after twice as long each time it fails again, never later than its schedule's own next time
RETRY_AFTER_S = 60.0


class Scheduled(Protocol):
    """What the scheduler runs: a scope, a probe ... anything with a key and a schedule."""

    @property
    def key(self) -> str: ...

    @property
    def schedule(self) -> Schedule | None: ...


T = TypeVar("T", bound=Scheduled)
RunScan = Callable[[ValidatedScope], object]
LoadScopes = Callable[[], list[ValidatedScope]]


def _now() -> datetime:
    return datetime.now(UTC)


class Scheduler(Generic[T]):
    """Runs due items one after another; a failing run is logged and tried again after
    RETRY_AFTER_S, doubling while it keeps failing, or at its next time if that comes first.

    An item never run runs at its first sight; one run before (`last_runs`, kept across restarts)
    runs at its schedule's next time after that run, so a restart neither runs everything again
    nor postpones what is due. Without `last_runs` (probes) every item is new at start.
    `heartbeat` beats after every loop turn that could read the scopes file."""

    def __init__(
        self,
        load: Callable[[], list[T]],
        run: Callable[[T], object],
        clock: Clock = _now,
        *,
        what: str = "scan",
        last_runs: LastRuns | None = None,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self._load = load
        self._run = run
        self._clock = clock
        self._what = what
        self._last_runs = last_runs
        self._heartbeat = heartbeat
        self._next: dict[str, datetime] = {}
        self._schedules: dict[str, Schedule] = {}
        self._failures: dict[str, int] = {}  # runs failed in a row, by key

    def due(self, now: datetime) -> list[T]:
        """Items whose time has come; a new or changed schedule counts from the item's last run."""
        ready: list[T] = []
        items = [(item, s) for item in self._load() if (s := item.schedule) is not None]
        self._forget_all_but({item.key for item, _ in items})
        for item, schedule in items:
            if self._schedules.get(item.key) != schedule:
                self._schedules[item.key] = schedule
                self._next[item.key] = self._first_time(item.key, schedule, now)
            if self._next[item.key] <= now:
                ready.append(item)
                self._next[item.key] = schedule.next_after(now)
        return ready

    def _first_time(self, key: str, schedule: Schedule, now: datetime) -> datetime:
        last = self._last_runs.get(key) if self._last_runs is not None else None
        if last is None:
            return now
        return schedule.next_after(min(last, now))  # a run "in the future" (clock set back): now

    def _forget_all_but(self, keys: set[str]) -> None:
        """Drop items gone from the file: their past times would wake the loop every second."""
        for key in set(self._next) - keys:
            del self._next[key], self._schedules[key]
            self._failures.pop(key, None)

    def run_now(self, item: T) -> None:
        """Run one item at once, outside its schedule (start-up, on demand); its next scheduled
        run counts from this one."""
        started = self._clock()
        try:
            self._run(item)
        finally:
            self._recorded(item.key, started)
            if (schedule := self._schedules.get(item.key)) is not None:
                self._next[item.key] = schedule.next_after(started)

    def run_pending(self) -> int:
        now, ran = self._clock(), 0
        for item in self.due(now):
            try:
                self._run(item)
                ran += 1
                self._failures.pop(item.key, None)
            except Exception:  # one item's failure never stops the others
                log.exception("scheduled %s of %s failed", self._what, item.key)
                self._retry_soon(item.key, now)
            self._recorded(item.key, now)  # a failed run too: a restart does not repeat it
        return ran

    def _retry_soon(self, key: str, now: datetime) -> None:
        failures = self._failures[key] = self._failures.get(key, 0) + 1
        retry = now + timedelta(seconds=RETRY_AFTER_S * 2 ** min(failures - 1, 20))
        self._next[key] = min(self._next[key], retry)
        log.warning("%s of %s tried again at %s", self._what, key, self._next[key].isoformat())

    def _recorded(self, key: str, started: datetime) -> None:
        if self._last_runs is not None:
            self._last_runs.record(key, started)

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
                if self._heartbeat is not None:
                    self._heartbeat.beat()
                wait = self.seconds_until_next() or 1.0
            except Exception:  # e.g. a broken scopes file: keep the loop alive, say why
                log.exception("%s scheduler could not load the scopes file", self._what)
                wait = _MAX_SLEEP_S  # read it again in a minute, not once a second
            stop_event.wait(wait)
