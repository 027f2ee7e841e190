"""Every figure the SQL aggregates give equals a brute-force Python count over the raw answers."""

from __future__ import annotations

import math
import statistics
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.scoring import (
    Status,
    Trend,
    score_cards,
    sort_cards,
    weekly_estimates,
)
from domain.stats_math import t_quantile_975
from domain.tallies import load_commitments
from storage.engine import Database
from tests.domain.score_fixtures import (
    AS_OF,
    CHARTER,
    AnswerRow,
    PulseRow,
    add_pulses,
    seed_charter,
)

Z = 1.959963984540054
SCALES = {
    "rating_5": (1, 2, 3, 4, 5),
    "nps_10": tuple(range(11)),
    "effort_7": tuple(range(1, 8)),
    "yes_no": (0, 1),
    "text": (0,),
}
METRIC_KINDS = {
    "csat": {"rating_5"},
    "nps": {"nps_10"},
    "yes_rate": {"yes_no"},
    "effort": {"effort_7"},
    "mean": {"rating_5", "nps_10", "effort_7"},
}
STATUSES = ("sent", "answered", "expired", "pending", "failed", "undeliverable", "skipped")
# Offsets (seconds before AS_OF) that include every window's exact edges.
EDGES = sorted({d * 86400 for d in (0, 7, 14, 28, 30, 60, 84)} | {1, 86399})


def offsets() -> st.SearchStrategy[int]:
    """Seconds before AS_OF: anywhere in 0-100 days, the edges, or a little in the future."""
    return st.one_of(
        st.integers(-86400, 100 * 86400),
        st.sampled_from(EDGES),
        st.sampled_from(EDGES).map(lambda s: s - 1),
    )


@st.composite
def pulses(draw: st.DrawFn) -> PulseRow:
    """Draw one pulse of one commitment, with answers to distinct non-text questions."""
    commitment = draw(st.integers(0, len(CHARTER) - 1))
    kinds = CHARTER[commitment].kinds
    numeric = [i for i, kind in enumerate(kinds) if kind != "text"]
    chosen = draw(st.lists(st.sampled_from(numeric), unique=True, max_size=len(numeric)))
    answers = tuple(
        AnswerRow(
            question=q,
            value=draw(st.sampled_from(SCALES[kinds[q]])),
            at=AS_OF - timedelta(seconds=draw(offsets())),
        )
        for q in chosen
    )
    status = "answered" if answers else draw(st.sampled_from(STATUSES))
    sent = draw(st.one_of(st.none(), offsets()))
    return PulseRow(
        commitment=commitment,
        respondent=f"r{draw(st.integers(0, 7))}",
        status=status,
        sent_at=None if sent is None else AS_OF - timedelta(seconds=sent),
        answers=answers,
    )


# --- the brute force: raw values in, figures out, written independently of the module ---


def wilson(k: int, n: int) -> tuple[float, float, float]:
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return 100 * p, 100 * max(0.0, centre - half), 100 * min(1.0, centre + half)


def brute_metric(metric: str, kind: str, values: list[int]) -> tuple[float, float, float]:
    n = len(values)
    if metric == "csat":
        return wilson(sum(v >= 4 for v in values), n)
    if metric == "yes_rate":
        return wilson(sum(v == 1 for v in values), n)
    if metric == "effort":
        return wilson(sum(v >= 5 for v in values), n)
    if metric == "nps":
        promoters, detractors = sum(v >= 9 for v in values), sum(v <= 6 for v in values)
        p, d = (promoters + 0.75) / (n + 3), (detractors + 0.75) / (n + 3)
        half = Z * math.sqrt((p + d - (p - d) ** 2) / (n + 3))
        estimate = 100 * (promoters - detractors) / n
        return estimate, 100 * max(-1.0, p - d - half), 100 * min(1.0, p - d + half)
    low, high = min(SCALES[kind]), max(SCALES[kind])
    mean = statistics.fmean(values)
    if n == 1:
        return mean, mean, mean
    half = t_quantile_975(n - 1) * statistics.stdev(values) / math.sqrt(n)
    return mean, max(low, mean - half), min(high, mean + half)


def brute_window(
    data: list[PulseRow], index: int, start: datetime, end: datetime
) -> tuple[int, int, list[int], str]:
    spec = CHARTER[index]
    eligible = [q for q, kind in enumerate(spec.kinds) if kind in METRIC_KINDS[spec.metric]]
    kind = spec.kinds[eligible[0]]
    used = [q for q in eligible if spec.kinds[q] == kind]
    chosen = [
        (pulse.respondent, answer.value)
        for pulse in data
        if pulse.commitment == index
        for answer in pulse.answers
        if answer.question in used and start <= answer.at < end
    ]
    return len(chosen), len({r for r, _ in chosen}), [v for _, v in chosen], kind


def brute_status(
    spec_index: int, respondents: int, values: list[int], kind: str
) -> tuple[Status, tuple[float, float, float] | None]:
    spec = CHARTER[spec_index]
    if not values or respondents < spec.min_responses:
        return Status.INSUFFICIENT, None
    estimate, low, high = brute_metric(spec.metric, kind, values)
    if high < spec.threshold:
        return Status.BREACHED, (estimate, low, high)
    if estimate < spec.threshold:
        return Status.BELOW, (estimate, low, high)
    return Status.OK, (estimate, low, high)


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.lists(pulses(), max_size=60))
async def test_scores_match_brute_force(database: Database, data: list[PulseRow]) -> None:
    seeded = await seed_charter(database)
    await add_pulses(database, seeded, data)
    async with database.begin() as session:
        cards = await score_cards(session, as_of=AS_OF)
        commitments = await load_commitments(session)
        weekly = await weekly_estimates(session, commitments=commitments, as_of=AS_OF)
    by_code = {card.commitment.code: card for card in cards}
    for index, spec in enumerate(CHARTER):
        card = by_code[spec.code]
        days = timedelta(days=spec.window_days)
        estimates = []
        for figure, end in ((card.current, AS_OF), (card.previous, AS_OF - days)):
            answers, respondents, values, kind = brute_window(data, index, end - days, end)
            assert (figure.answers, figure.respondents) == (answers, respondents)
            status, expected = brute_status(index, respondents, values, kind)
            assert figure.status == status
            if expected is None:
                assert figure.interval is None
            else:
                assert figure.interval is not None
                got = (figure.interval.estimate, figure.interval.low, figure.interval.high)
                assert all(close(a, b) for a, b in zip(got, expected, strict=True)), (got, expected)
            estimates.append(expected[0] if expected else None)
        sent = [
            p
            for p in data
            if p.commitment == index
            and p.sent_at is not None
            and AS_OF - days <= p.sent_at < AS_OF
            and p.status in ("sent", "answered", "expired")
        ]
        assert card.delivery.sent == len(sent)
        assert card.delivery.answered == sum(p.status == "answered" for p in sent)
        if estimates[0] is None or estimates[1] is None:
            assert card.trend == Trend.UNKNOWN
        for week in range(12):
            end = AS_OF - timedelta(weeks=11 - week)
            _, respondents, values, kind = brute_window(data, index, end - timedelta(weeks=1), end)
            _, expected = brute_status(index, respondents, values, kind)
            got_week = weekly[seeded.commitment_ids[index]][week]
            if expected is None:
                assert got_week is None
            else:
                assert got_week is not None
                assert close(got_week, expected[0])


async def test_breached_sorts_first_and_trend_reads_the_previous_window(
    database: Database,
) -> None:
    seeded = await seed_charter(database)
    at = AS_OF - timedelta(days=1)
    before = AS_OF - timedelta(days=40)
    rows = [
        # CSAT: 10 unhappy answers now (breached), 10 happy ones in the previous window.
        *(PulseRow(0, f"n{i}", "answered", at, (AnswerRow(0, 1, at),)) for i in range(10)),
        *(PulseRow(0, f"p{i}", "answered", before, (AnswerRow(0, 5, before),)) for i in range(10)),
        # YES: all yes (ok).
        *(PulseRow(2, f"y{i}", "answered", at, (AnswerRow(0, 1, at),)) for i in range(4)),
    ]
    await add_pulses(database, seeded, rows)
    async with database.begin() as session:
        cards = sort_cards(await score_cards(session, as_of=AS_OF))
    assert [c.commitment.code for c in cards][:2] == ["CSAT", "YES"]
    csat = cards[0]
    assert csat.current.status == Status.BREACHED
    assert csat.previous.status == Status.OK
    assert csat.trend == Trend.DOWN
    assert csat.response_rate == pytest.approx(100.0)
    assert cards[1].current.status == Status.OK
    assert {c.current.status for c in cards[2:]} == {Status.INSUFFICIENT}
