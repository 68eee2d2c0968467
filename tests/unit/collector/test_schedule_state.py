"""Scans across restarts: a scope never scanned is scanned at start, one scanned before resumes
at its last scan + its period (the time kept in a JSON file in the data directory)."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from ipaddress import ip_network
from pathlib import Path

import pytest

from spbe_collector.scans.enums import ProfileName
from spbe_collector.schedules.repository import LastRuns
from spbe_collector.schedules.schemas import Cron, Interval, Schedule
from spbe_collector.schedules.service import Scheduler
from spbe_collector.scopes.schemas import ValidatedScope
from spbe_collector.scopes.service import ScopeRefused
from spbe_common.heartbeat import Heartbeat

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # a Monday
SIX_HOURS = Interval(6 * 3600)


def _scope(key: str, schedule: Schedule | None = SIX_HOURS) -> ValidatedScope:
    net = (ip_network("127.0.0.1/32"),)
    return ValidatedScope(key, "DINKES", net, (), ProfileName.DISCOVERY, schedule, ())


class FakeClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Container:
    """One `spbe collect schedule` life: a scheduler over the state file of a data directory."""

    def __init__(self, state: Path, clock: FakeClock, scopes: list[ValidatedScope]) -> None:
        self.ran: list[str] = []
        self.scheduler = Scheduler(
            lambda: scopes, lambda s: self.ran.append(s.key), clock, last_runs=LastRuns(state)
        )

    def turn(self) -> list[str]:
        self.ran.clear()
        self.scheduler.run_pending()
        return list(self.ran)


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "data" / "schedule-state.json"


def test_a_scope_never_scanned_is_scanned_at_start_and_the_time_kept(state: Path) -> None:
    clock = FakeClock()
    assert Container(state, clock, [_scope("a"), _scope("off", None)]).turn() == ["a"]
    assert json.loads(state.read_text()) == {
        "version": 1,
        "last_run": {"a": T0.isoformat()},
    }
    assert [p.name for p in state.parent.iterdir()] == [state.name]  # no temporary file left


def test_a_restart_neither_rescans_nor_postpones(state: Path) -> None:
    clock = FakeClock()
    Container(state, clock, [_scope("a")]).turn()
    clock.now = T0 + timedelta(hours=1)  # restarted an hour after the scan
    again = Container(state, clock, [_scope("a")])
    assert again.turn() == []
    clock.now = T0 + timedelta(hours=5, minutes=59)
    assert again.turn() == []
    clock.now = T0 + timedelta(hours=6)  # last scan + 6 h, not restart + 6 h
    assert again.turn() == ["a"]
    assert again.scheduler.seconds_until_next() == 60.0


def test_a_scan_due_while_the_collector_was_down_runs_at_start(state: Path) -> None:
    clock = FakeClock()
    Container(state, clock, [_scope("a"), _scope("b", Interval(86400))]).turn()
    clock.now = T0 + timedelta(hours=7)
    assert Container(state, clock, [_scope("a"), _scope("b", Interval(86400))]).turn() == ["a"]


def test_a_changed_schedule_counts_from_the_last_scan(state: Path) -> None:
    clock = FakeClock()
    scopes = [_scope("a")]
    running = Container(state, clock, scopes)
    running.turn()
    clock.now = T0 + timedelta(hours=2)
    scopes[0] = _scope("a", Interval(3600))  # last scan + 1 h is past: at once
    assert running.turn() == ["a"]
    scopes[0] = _scope("a", Interval(3 * 3600))  # last scan (now) + 3 h
    clock.now = T0 + timedelta(hours=4, minutes=59)
    assert running.turn() == []
    clock.now = T0 + timedelta(hours=5)
    assert running.turn() == ["a"]


def test_a_cron_scope_resumes_at_its_next_time_after_the_last_scan(state: Path) -> None:
    nightly = Cron.parse("0 2 * * *")
    clock = FakeClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    Container(state, clock, [_scope("a", nightly)]).turn()
    clock.now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert Container(state, clock, [_scope("a", nightly)]).turn() == []
    clock.now = datetime(2026, 3, 4, 3, 0, tzinfo=UTC)  # down over two nights: one scan now
    assert Container(state, clock, [_scope("a", nightly)]).turn() == ["a"]


def test_a_last_scan_in_the_future_postpones_nothing(state: Path) -> None:
    LastRuns(state).record("a", T0 + timedelta(days=30))  # written before the clock was set back
    clock = FakeClock()
    container = Container(state, clock, [_scope("a")])
    assert container.turn() == []
    clock.now = T0 + timedelta(hours=6)
    assert container.turn() == ["a"]


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "[]",
        '{"version": 99, "last_run": {}}',
        '{"version": 1, "last_run": []}',
        '{"version": 1, "last_run": {"a": "yesterday"}}',
        '{"version": 1, "last_run": {"a": "2026-03-02T01:30:00"}}',  # no time zone
        '{"version": 1, "last_run": {"a": 5}}',
    ],
)
def test_a_broken_state_file_is_a_warning_and_every_scope_counts_as_never_scanned(
    state: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    state.parent.mkdir()
    state.write_text(content)
    with caplog.at_level(logging.WARNING):
        assert Container(state, FakeClock(), [_scope("a")]).turn() == ["a"]
    assert "every scope counts as never run" in caplog.text
    assert json.loads(state.read_text())["last_run"] == {"a": T0.isoformat()}  # mended


def test_an_unreadable_or_unwritable_state_never_stops_the_scans(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "file").write_text("")
    state = tmp_path / "file" / "schedule-state.json"  # its folder is a file: no read, no write
    clock = FakeClock()
    with caplog.at_level(logging.WARNING):
        container = Container(state, clock, [_scope("a")])
        assert container.turn() == ["a"]
    assert "not written" in caplog.text
    clock.now += timedelta(hours=1)
    assert container.turn() == []  # kept in memory meanwhile


def test_a_start_up_scan_with_run_now_is_not_repeated_by_the_schedule(state: Path) -> None:
    """`spbe up` scans every scope itself at start, then hands over to the loop."""
    clock = FakeClock()
    container = Container(state, clock, [_scope("a")])
    container.scheduler.run_now(_scope("a"))
    clock.now += timedelta(minutes=10)
    assert container.ran == ["a"] and container.turn() == []
    clock.now = T0 + timedelta(hours=6)
    assert container.turn() == ["a"]


def test_a_failed_scan_is_kept_too_and_retried_at_its_next_time(state: Path) -> None:
    clock = FakeClock()

    def fail(scope: ValidatedScope) -> None:
        raise RuntimeError("nmap exploded")

    assert (
        Scheduler(lambda: [_scope("a")], fail, clock, last_runs=LastRuns(state)).run_pending() == 0
    )
    clock.now += timedelta(minutes=1)  # a crash loop would not scan again and again
    assert Container(state, clock, [_scope("a")]).turn() == []


class CountingStop(threading.Event):
    """Records each nap instead of sleeping; stops after `naps` of them."""

    def __init__(self, naps: int) -> None:
        super().__init__()
        self.naps = 0
        self._limit = naps

    def wait(self, timeout: float | None = None) -> bool:
        self.naps += 1
        if self.naps >= self._limit:
            self.set()
        return self.is_set()


def test_the_loop_beats_after_each_turn_that_read_the_scopes_file(tmp_path: Path) -> None:
    beat = tmp_path / "heartbeat"
    heartbeat = Heartbeat(beat, every_s=0)
    clock = FakeClock()
    scheduler = Scheduler(lambda: [_scope("a")], lambda s: None, clock, heartbeat=heartbeat)
    scheduler.run_forever(CountingStop(naps=1))
    assert beat.exists()


def test_a_broken_scopes_file_stops_the_heartbeat(tmp_path: Path) -> None:
    beat = tmp_path / "heartbeat"
    beat.write_text("left by the previous container\n")

    def load() -> list[ValidatedScope]:
        raise ScopeRefused("scope 'a': 10.0.0.0/8 is outside SPBE_SCAN_ALLOWLIST")

    scheduler = Scheduler(load, lambda s: None, FakeClock(), heartbeat=Heartbeat(beat, every_s=0))
    stop = CountingStop(naps=3)
    scheduler.run_forever(stop)
    assert stop.naps == 3 and not beat.exists()
