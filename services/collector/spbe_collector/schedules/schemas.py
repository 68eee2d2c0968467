"""Schedules: a fixed interval or a five-field cron expression, both pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_INTERVAL = re.compile(r"^(\d{1,5})([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_INTERVAL_S = 60  # a scan's floor; probes (one GET per URL) pass a lower one
# (low, high) per field: minute, hour, day of month, month, day of week (0 = Sunday)
_CRON_BOUNDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_CRON_HORIZON = timedelta(days=366 * 5)


class InvalidSchedule(ValueError):
    """A schedule text that does not parse."""


@dataclass(frozen=True, slots=True)
class Interval:
    seconds: int

    @classmethod
    def parse(cls, text: str, minimum_s: int = MIN_INTERVAL_S) -> Interval:
        match = _INTERVAL.match(text.strip())
        if not match:
            raise InvalidSchedule(f"interval {text!r} is not like '30m', '6h' or '1d'")
        seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        if seconds < minimum_s:
            raise InvalidSchedule(f"interval {text!r} is shorter than {minimum_s}s")
        return cls(seconds)

    def next_after(self, moment: datetime) -> datetime:
        return moment + timedelta(seconds=self.seconds)


def _parse_part(part: str, low: int, high: int) -> set[int]:
    body, _, step_text = part.partition("/")
    step = int(step_text) if step_text else 1
    if body == "*":
        start, end = low, high
    elif "-" in body:
        start_text, end_text = body.split("-", 1)
        start, end = int(start_text), int(end_text)
    else:
        start = int(body)
        end = high if step_text else start
    if step < 1 or not low <= start <= end <= high:
        raise InvalidSchedule(f"cron field {part!r} is outside {low}-{high}")
    return set(range(start, end + 1, step))


def _parse_field(text: str, low: int, high: int) -> frozenset[int]:
    if not re.fullmatch(r"[0-9*,/-]+", text):
        raise InvalidSchedule(f"cron field {text!r} has characters other than 0-9 * , / -")
    values: set[int] = set()
    for part in text.split(","):
        try:
            values |= _parse_part(part, low, high)
        except ValueError as exc:
            raise InvalidSchedule(str(exc)) from exc
    return frozenset(values)


@dataclass(frozen=True, slots=True)
class Cron:
    """minute hour day-of-month month day-of-week; day fields match if either matches (as cron)."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, text: str) -> Cron:
        fields = text.split()
        if len(fields) != 5:
            raise InvalidSchedule(f"cron {text!r} needs 5 fields: minute hour day month weekday")
        minutes, hours, days, months, weekdays = (
            _parse_field(f, lo, hi) for f, (lo, hi) in zip(fields, _CRON_BOUNDS, strict=True)
        )
        cron = cls(minutes, hours, days, months, weekdays, fields[2] == "*", fields[4] == "*")
        cron.next_after(datetime(2000, 1, 1))  # refuse expressions that never match
        return cron

    def _day_matches(self, moment: datetime) -> bool:
        day_ok = moment.day in self.days
        weekday_ok = (moment.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return day_ok and weekday_ok
        return day_ok or weekday_ok

    def next_after(self, moment: datetime) -> datetime:
        """The first matching minute strictly after `moment`."""
        candidate = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = moment + _CRON_HORIZON
        while candidate < limit:
            if candidate.month not in self.months or not self._day_matches(candidate):
                candidate = candidate.replace(hour=0, minute=0) + timedelta(days=1)
            elif candidate.hour not in self.hours:
                candidate = candidate.replace(minute=0) + timedelta(hours=1)
            elif candidate.minute not in self.minutes:
                candidate += timedelta(minutes=1)
            else:
                return candidate
        raise InvalidSchedule("cron expression never matches")


Schedule = Interval | Cron
