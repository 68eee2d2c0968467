import threading
import time
from datetime import UTC, datetime, timedelta
from ipaddress import ip_network

import pytest

from spbe_collector.scans.enums import ProfileName
from spbe_collector.schedules.schemas import Cron, Interval, InvalidSchedule
from spbe_collector.schedules.service import Scheduler
from spbe_collector.scopes.schemas import ValidatedScope

T0 = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # a Monday


def test_interval_parsing() -> None:
    assert Interval.parse("6h").seconds == 21600
    assert Interval.parse("30m").next_after(T0) == T0 + timedelta(minutes=30)
    for bad in ("10s", "6 h", "-1h", "1w", "h"):
        with pytest.raises(InvalidSchedule):
            Interval.parse(bad)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("0 2 * * *", datetime(2026, 3, 2, 2, 0, tzinfo=UTC)),
        ("*/15 * * * *", datetime(2026, 3, 2, 1, 45, tzinfo=UTC)),
        ("0 3 * * 6", datetime(2026, 3, 7, 3, 0, tzinfo=UTC)),  # Saturday
        ("0 0 1 * *", datetime(2026, 4, 1, 0, 0, tzinfo=UTC)),
        ("30 1 * * 1-5", datetime(2026, 3, 3, 1, 30, tzinfo=UTC)),  # strictly after
        ("0 0 29 2 *", datetime(2028, 2, 29, 0, 0, tzinfo=UTC)),
    ],
)
def test_cron_next_run(expr: str, expected: datetime) -> None:
    assert Cron.parse(expr).next_after(T0) == expected


@pytest.mark.parametrize(
    "expr", ["* * * *", "61 * * * *", "a * * * *", "0 0 31 2 *", "*/0 * * * *"]
)
def test_bad_cron_is_refused(expr: str) -> None:
    with pytest.raises(InvalidSchedule):
        Cron.parse(expr)


def _scope(key: str, schedule: Interval | Cron | None) -> ValidatedScope:
    net = (ip_network("127.0.0.1/32"),)
    return ValidatedScope(key, "DINKES", net, (), ProfileName.DISCOVERY, schedule, ())


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_scheduler_runs_each_scope_when_due_and_survives_failures() -> None:
    clock, ran = FakeClock(), []
    scopes = [_scope("a", Interval(3600)), _scope("b", Interval(7200)), _scope("c", None)]

    def run(scope: ValidatedScope) -> None:
        ran.append(scope.key)
        if scope.key == "a":
            raise RuntimeError("nmap exploded")

    scheduler = Scheduler(lambda: scopes, run, clock)
    assert scheduler.run_pending() == 1  # never run: both at first sight; a failed
    clock.now += timedelta(hours=1)
    scheduler.run_pending()
    clock.now += timedelta(hours=1)
    scheduler.run_pending()
    assert ran == ["a", "b", "a", "a", "b"]
    assert scheduler.seconds_until_next() == 60.0  # capped so scope changes are seen


def test_run_forever_stops_when_asked() -> None:
    stop = threading.Event()
    calls: list[str] = []

    def run(scope: ValidatedScope) -> None:
        calls.append(scope.key)

    scheduler = Scheduler(lambda: [_scope("a", Interval(60))], run, FakeClock())
    thread = threading.Thread(target=scheduler.run_forever, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 5
    while not calls and time.monotonic() < deadline:  # the first scan, then a minute's nap
        time.sleep(0.01)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert calls == ["a"]


def test_a_failed_run_is_tried_again_soon_then_less_often_until_it_works() -> None:
    """A broker or network away at the scheduled time does not cost a whole interval: the run
    is tried again after a minute, two, four ... (never past its own next time)."""
    clock, attempts = FakeClock(), []
    working = False

    def run(scope: ValidatedScope) -> None:
        attempts.append(clock.now - T0)
        if not working:
            raise RuntimeError("KafkaConnectionError: DNS Resolution failure")

    scheduler = Scheduler(lambda: [_scope("a", Interval(3600))], run, clock)
    for _ in range(8 * 60):  # eight minutes, a turn every second
        scheduler.run_pending()
        clock.now += timedelta(seconds=1)
    assert attempts == [timedelta(minutes=m) for m in (0, 1, 3, 7)]
    working = True
    clock.now = T0 + timedelta(minutes=15)
    assert scheduler.run_pending() == 1  # 7 + 8 minutes
    clock.now += timedelta(minutes=30)
    assert scheduler.run_pending() == 0  # worked: back to its hourly schedule
    clock.now += timedelta(minutes=30)
    assert scheduler.run_pending() == 1
