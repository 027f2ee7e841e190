"""The periods a commitment review covers: a quarter (2026-Q3), a month (2026-09) or a year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import InvalidInput
from domain.tallies import Span

_QUARTER = re.compile(r"(\d{4})-?[Qq]([1-4])")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"(\d{4})")
QUARTER, MONTH, YEAR = "quarter", "month", "year"
# A month is charted week by week (from the 1st), longer periods month by month.
WEEK = 7


class BadPeriod(InvalidInput):
    """The period is not YYYY-Qn, YYYY-MM or YYYY."""

    key = "review.bad_period"


@dataclass(frozen=True)
class Period:
    """Whole days [start, end) in the deployment's zone, and how the period is written."""

    label: str
    kind: str
    start: date
    end: date

    def span(self, zone: ZoneInfo) -> Span:
        """Return the period as instants, from local midnight to local midnight."""
        return days_span(self.start, self.end, zone)

    def previous(self) -> Period:
        """Return the period of the same kind just before this one."""
        if self.kind == YEAR:
            return parse_period(str(self.start.year - 1))
        if self.kind == QUARTER:
            year, quarter = self.start.year, (self.start.month - 1) // 3 + 1
            year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
            return parse_period(f"{year}-Q{quarter}")
        last = self.start - timedelta(days=1)
        return parse_period(f"{last.year}-{last.month:02d}")

    def buckets(self) -> list[tuple[date, date]]:
        """Return the chart's steps: weeks from the 1st for a month, months otherwise."""
        steps: list[tuple[date, date]] = []
        cursor = self.start
        while cursor < self.end:
            if self.kind == MONTH:
                following = min(cursor + timedelta(days=WEEK), self.end)
            else:
                following = _next_month(cursor)
            steps.append((cursor, following))
            cursor = following
        return steps


def days_span(start: date, end: date, zone: ZoneInfo) -> Span:
    """Return the days [start, end) as instants, from local midnight to local midnight."""
    return Span(datetime.combine(start, time(), zone), datetime.combine(end, time(), zone))


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def parse_period(text: str, *, locale: str | None = None) -> Period:
    """Return the period written `2026-Q3`, `2026-09` or `2026`, or raise BadPeriod."""
    cleaned = text.strip()
    if match := _QUARTER.fullmatch(cleaned):
        year, quarter = int(match[1]), int(match[2])
        start = date(year, 3 * quarter - 2, 1)
        end = _next_month(_next_month(_next_month(start)))
        return Period(f"{year}-Q{quarter}", QUARTER, start, end)
    if (match := _MONTH.fullmatch(cleaned)) and 1 <= int(match[2]) <= 12:
        start = date(int(match[1]), int(match[2]), 1)
        return Period(f"{start.year}-{start.month:02d}", MONTH, start, _next_month(start))
    if _YEAR.fullmatch(cleaned) and int(cleaned) >= 2000:
        year = int(cleaned)
        return Period(str(year), YEAR, date(year, 1, 1), date(year + 1, 1, 1))
    raise BadPeriod(text, locale=locale, value=text)
