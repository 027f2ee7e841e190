"""The small text formats a charter uses: delays, digest schedules and working hours."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DELAY_MINUTES = 30 * 24 * 60
# Every month has a 28th: a digest on the 30th would silently skip February.
MAX_MONTH_DAY = 28

_DELAY = re.compile(r"(?P<amount>[1-9][0-9]{0,5})(?P<unit>[mhd])")
_UNIT_MINUTES = {"m": 1, "h": 60, "d": 24 * 60}
_TIME = re.compile(r"(?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9])")


@dataclass(frozen=True)
class Schedule:
    """When a digest goes out: some weekdays (0 = Monday) or one day of the month, at a time."""

    weekdays: frozenset[int]
    month_day: int | None
    at: time


@dataclass(frozen=True)
class WorkingHours:
    """The weekdays (0 = Monday) and the daily window in which pulses may be sent."""

    weekdays: frozenset[int]
    start: time
    end: time


def parse_delay(value: object) -> int:
    """Return the minutes of a delay written `0`, `30m`, `2h` or `1d`, or raise ValueError."""
    if isinstance(value, bool):
        raise ValueError("must be a delay such as 30m, 2h, 1d or 0")
    if value == 0 or value == "0":
        return 0
    if isinstance(value, int):
        raise ValueError(f"needs a unit: {value}m, {value}h or {value}d (or 0)")
    if not isinstance(value, str) or not (match := _DELAY.fullmatch(value)):
        raise ValueError("must be a delay such as 30m, 2h, 1d or 0")
    minutes = int(match["amount"]) * _UNIT_MINUTES[match["unit"]]
    if minutes > MAX_DELAY_MINUTES:
        raise ValueError("must be at most 30d")
    return minutes


def format_delay(minutes: int) -> str:
    """Return the shortest text `parse_delay` reads back as `minutes`."""
    if minutes == 0:
        return "0"
    for unit in ("d", "h"):
        if minutes % _UNIT_MINUTES[unit] == 0:
            return f"{minutes // _UNIT_MINUTES[unit]}{unit}"
    return f"{minutes}m"


def parse_schedule(text: str) -> Schedule:
    """Read `mon 09:00`, `mon,thu 08:30`, `mon-fri 09:00`, `daily 09:00` or `1 09:00`."""
    days, at = _split_two(text, "a schedule such as 'mon 09:00', 'daily 09:00' or '1 09:00'")
    clock = _parse_time(at)
    if days == "daily":
        return Schedule(weekdays=frozenset(range(7)), month_day=None, at=clock)
    if days.isdigit():
        day = int(days)
        if days != str(day) or not 1 <= day <= MAX_MONTH_DAY:
            raise ValueError(f"day of month must be 1 to {MAX_MONTH_DAY} (every month has it)")
        return Schedule(weekdays=frozenset(), month_day=day, at=clock)
    return Schedule(weekdays=_parse_days(days), month_day=None, at=clock)


def parse_working_hours(text: str) -> WorkingHours | None:
    """Read `mon-fri 09:00-18:00` (days, then a window); `any` means no limit and gives None."""
    if text == "any":
        return None
    days, window = _split_two(text, "working hours such as 'mon-fri 09:00-18:00' or 'any'")
    start_text, dash, end_text = window.partition("-")
    if not dash:
        raise ValueError("the window must read HH:MM-HH:MM, e.g. 09:00-18:00")
    start, end = _parse_time(start_text), _parse_time(end_text)
    if start >= end:
        raise ValueError("the window must end after it starts")
    return WorkingHours(weekdays=_parse_days(days), start=start, end=end)


def _split_two(text: str, expected: str) -> tuple[str, str]:
    parts = text.split(" ")
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"must be {expected}")
    return parts[0], parts[1]


def _parse_time(text: str) -> time:
    if not (match := _TIME.fullmatch(text)):
        raise ValueError(f"{text!r} is not a time: write HH:MM, 00:00 to 23:59")
    return time(int(match["hour"]), int(match["minute"]))


def _parse_days(text: str) -> frozenset[int]:
    days: list[int] = []
    for part in text.split(","):
        first, dash, last = part.partition("-")
        start = _day(first)
        end = _day(last) if dash else start
        if end < start:
            raise ValueError(f"day range {part!r} runs backwards: write it from mon to sun")
        days.extend(range(start, end + 1))
    if len(days) != len(set(days)):
        raise ValueError(f"{text!r} names a day twice")
    return frozenset(days)


def _day(text: str) -> int:
    if text not in DAYS:
        raise ValueError(f"{text!r} is not a day: use {', '.join(DAYS)}")
    return DAYS.index(text)
