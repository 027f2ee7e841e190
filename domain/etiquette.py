"""Survey etiquette: when a pulse may go, how often a person may be asked, who is sampled."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as public_holidays

from domain.charter_formats import WorkingHours, parse_working_hours


@dataclass(frozen=True)
class Etiquette:
    """The contact budget and the response window (deployment-wide settings)."""

    cooldown: timedelta = timedelta(days=7)
    commitment_cooldown: timedelta = timedelta(days=30)
    response_window: timedelta = timedelta(days=7)
    reminder_after: timedelta = timedelta(hours=48)


@cache
def _french_holidays(year: int) -> frozenset[date]:
    return frozenset(public_holidays.country_holidays("FR", years=year))


def is_holiday(day: date) -> bool:
    """Tell whether `day` is a French public holiday."""
    return day in _french_holidays(day.year)


def person_zone(tz: str | None, default: ZoneInfo) -> ZoneInfo:
    """Return the person's Slack time zone, or the deployment's when unknown."""
    if tz:
        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            return default
    return default


def next_good_moment(
    at: datetime, *, working_hours: str, holidays: str, zone: ZoneInfo
) -> datetime:
    """Return `at` if a pulse may be sent then, else the start of the next allowed window."""
    hours = parse_working_hours(working_hours)
    check_holidays = holidays != "none"
    if hours is None and not check_holidays:
        return at
    local = at.astimezone(zone)
    for _ in range(370):  # a year of days at most: some window always opens within it
        day = local.date()
        if _open_day(day, hours, check_holidays):
            if hours is None:
                return local.astimezone(at.tzinfo)
            start = datetime.combine(day, hours.start, zone)
            end = datetime.combine(day, hours.end, zone)
            if local < start:
                return start.astimezone(at.tzinfo)
            if local < end:
                return local.astimezone(at.tzinfo)
        local = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
    raise ValueError(f"no allowed moment within a year for {working_hours!r}")


def _open_day(day: date, hours: WorkingHours | None, check_holidays: bool) -> bool:
    if hours is not None and day.weekday() not in hours.weekdays:
        return False
    return not (check_holidays and is_holiday(day))


def sampled(interaction_id: int, percent: int) -> bool:
    """Decide, stably for an interaction, whether it falls in the service's sample."""
    if percent >= 100:
        return True
    if percent <= 0:
        return False
    digest = hashlib.sha256(f"ecoute-sample:{interaction_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent
