"""Scores per commitment: the metric, its interval, the status against target and the trend.

The database counts answers per value bucket (`domain.tallies`); this module turns those few
numbers into figures. Units: csat, yes_rate and effort are percents (0-100), nps runs from -100
to 100, a mean stays on its question's scale — the same units as the charter's thresholds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from domain.stats_math import Interval, mean_interval, nps_interval, wilson
from domain.tallies import (
    CommitmentInfo,
    Delivery,
    Span,
    Tally,
    deliveries,
    load_commitments,
    tally_weeks,
    tally_windows,
    window,
)

# The answer range of every kind of question.
SCALE_RANGES: dict[str, tuple[int, int]] = {
    "rating_5": (1, 5),
    "nps_10": (0, 10),
    "effort_7": (1, 7),
    "yes_no": (0, 1),
}
# Which answers count as a success for the shares.
SUCCESS: dict[str, tuple[int, int]] = {"csat": (4, 5), "yes_rate": (1, 1), "effort": (5, 7)}
CHART_WEEKS = 12


class Status(StrEnum):
    """Where a commitment stands against its threshold."""

    BREACHED = "breached"
    BELOW = "below"
    OK = "ok"
    INSUFFICIENT = "insufficient"


class Trend(StrEnum):
    """How the score moved since the previous window."""

    UP = "up"
    DOWN = "down"
    FLAT = "flat"
    UNKNOWN = "unknown"


# Digests list the worst first.
STATUS_ORDER = {Status.BREACHED: 0, Status.BELOW: 1, Status.OK: 2, Status.INSUFFICIENT: 3}


@dataclass(frozen=True)
class Figure:
    """A commitment's score over one window; `interval` is None below `min_responses`."""

    respondents: int
    answers: int
    interval: Interval | None
    status: Status

    @property
    def estimate(self) -> float | None:
        """Return the point estimate, or None when there are not enough answers."""
        return self.interval.estimate if self.interval else None


@dataclass(frozen=True)
class ScoreCard:
    """Everything shown about one commitment: this window, the previous one, delivery."""

    commitment: CommitmentInfo
    span: Span
    current: Figure
    previous: Figure
    delivery: Delivery
    trend: Trend

    @property
    def response_rate(self) -> float | None:
        """Return answered / sent pulses in the window, as a percent (None if none was sent)."""
        if not self.delivery.sent:
            return None
        return 100.0 * self.delivery.answered / self.delivery.sent


def metric_interval(metric: str, kind: str, tally: Tally) -> Interval:
    """Return the metric of `tally` and its 95 % interval, in the threshold's units."""
    counts = tally.counts
    n = tally.answers
    if metric in SUCCESS:
        low, high = SUCCESS[metric]
        share = wilson(sum(counts[low : high + 1]), n)
        return Interval(100 * share.estimate, 100 * share.low, 100 * share.high)
    if metric == "nps":
        nps = nps_interval(sum(counts[9:11]), sum(counts[0:7]), n)
        return Interval(100 * nps.estimate, 100 * nps.low, 100 * nps.high)
    if metric == "mean":
        low, high = SCALE_RANGES[kind]
        values = list(range(low, high + 1))
        mean = mean_interval([counts[v] for v in values], values)
        return Interval(mean.estimate, max(low, mean.low), min(high, mean.high))
    raise ValueError(f"unknown metric {metric!r}")


def figure(commitment: CommitmentInfo, tally: Tally | None) -> Figure:
    """Return the figure of one window, withholding it below `min_responses` respondents."""
    tally = tally or Tally()
    if (
        commitment.kind is None
        or tally.answers == 0
        or tally.respondents < commitment.min_responses
    ):
        return Figure(tally.respondents, tally.answers, None, Status.INSUFFICIENT)
    interval = metric_interval(commitment.metric, commitment.kind, tally)
    return Figure(tally.respondents, tally.answers, interval, status_of(interval, commitment))


def status_of(interval: Interval, commitment: CommitmentInfo) -> Status:
    """Return breached (all the interval under target), below (the estimate under it) or ok."""
    if interval.high < commitment.threshold:
        return Status.BREACHED
    if interval.estimate < commitment.threshold:
        return Status.BELOW
    return Status.OK


def scale_span(commitment: CommitmentInfo) -> float:
    """Return the width of the metric's scale (100 for percents, 200 for NPS)."""
    if commitment.metric == "nps":
        return 200.0
    if commitment.metric == "mean" and commitment.kind is not None:
        low, high = SCALE_RANGES[commitment.kind]
        return float(high - low)
    return 100.0


def trend_of(commitment: CommitmentInfo, current: Figure, previous: Figure) -> Trend:
    """Compare two windows; moves under 1 % of the scale read as flat."""
    if current.estimate is None or previous.estimate is None:
        return Trend.UNKNOWN
    delta = current.estimate - previous.estimate
    if abs(delta) < 0.01 * scale_span(commitment):
        return Trend.FLAT
    return Trend.UP if delta > 0 else Trend.DOWN


async def score_cards(
    session: AsyncSession,
    *,
    as_of: datetime,
    commitments: Sequence[CommitmentInfo] | None = None,
    with_previous: bool = True,
) -> list[ScoreCard]:
    """Score every live commitment (or those given) over its window ending at `as_of`."""
    if commitments is None:
        commitments = await load_commitments(session)
    current = await tally_windows(session, commitments=commitments, as_of=as_of)
    previous = (
        await tally_windows(session, commitments=commitments, as_of=as_of, back=1)
        if with_previous
        else {}
    )
    sent = await deliveries(session, commitments=commitments, as_of=as_of)
    cards: list[ScoreCard] = []
    for commitment in commitments:
        now_figure = figure(commitment, current.get(commitment.id))
        before = figure(commitment, previous.get(commitment.id))
        cards.append(
            ScoreCard(
                commitment=commitment,
                span=window(as_of, commitment.window_days),
                current=now_figure,
                previous=before,
                delivery=sent.get(commitment.id, Delivery()),
                trend=trend_of(commitment, now_figure, before),
            )
        )
    return cards


def sort_cards(cards: Sequence[ScoreCard]) -> list[ScoreCard]:
    """Return breached first, then below, ok, and those without enough answers; by code."""
    return sorted(cards, key=lambda c: (STATUS_ORDER[c.current.status], c.commitment.code))


async def weekly_estimates(
    session: AsyncSession,
    *,
    commitments: Sequence[CommitmentInfo],
    as_of: datetime,
    weeks: int = CHART_WEEKS,
) -> dict[int, list[float | None]]:
    """Return each commitment's weekly score, oldest first (None for weeks under the minimum)."""
    series = await tally_weeks(session, commitments=commitments, as_of=as_of, weeks=weeks)
    by_id = {c.id: c for c in commitments}
    return {
        commitment_id: [figure(by_id[commitment_id], tally).estimate for tally in tallies]
        for commitment_id, tallies in series.items()
    }
