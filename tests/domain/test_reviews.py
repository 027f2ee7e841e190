"""Review periods, and a review's figures: the scoring's own, with counts, comments and plans."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import col, select

from domain.charter_admin import UnknownCode
from domain.review_periods import BadPeriod, parse_period
from domain.reviews import review_pack
from domain.roles import OwnersOnly
from domain.scoring import Status, score_cards
from storage.engine import Database
from storage.tables import Comment, Pulse
from tests.domain.plan_fixtures import ZONE, answered, opened, owner_of, seed, stranger
from tests.domain.score_fixtures import PulseRow, add_pulses

SEPTEMBER = datetime(2026, 9, 10, 12, 0, tzinfo=ZONE)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=ZONE)


def test_periods_are_quarters_months_or_years() -> None:
    quarter = parse_period("2026-q3")
    assert (quarter.label, quarter.start, quarter.end) == (
        "2026-Q3",
        date(2026, 7, 1),
        date(2026, 10, 1),
    )
    assert quarter.previous().label == "2026-Q2"
    assert parse_period("2026-Q1").previous().label == "2025-Q4"
    assert [start.month for start, _ in quarter.buckets()] == [7, 8, 9]
    month = parse_period("2026-09")
    assert month.buckets()[-1] == (date(2026, 9, 29), date(2026, 10, 1))
    assert len(month.buckets()) == 5
    assert parse_period("2026-01").previous().label == "2025-12"
    year = parse_period("2026")
    assert (len(year.buckets()), year.previous().label) == (12, "2025")
    span = month.span(ZONE)
    assert span.end - span.start == timedelta(days=30)
    for wrong in ("2026-13", "Q3", "26", "2026-Q5"):
        with pytest.raises(BadPeriod):
            parse_period(wrong)


async def _september(database: Database):
    seeded = await seed(database)
    people = [(f"s{i}", None) for i in range(10)]
    await answered(database, seeded, people[:4], value=5, at=SEPTEMBER)
    await answered(database, seeded, people[4:], value=2, at=SEPTEMBER + timedelta(days=5))
    await answered(
        database,
        seeded,
        [(f"a{i}", None) for i in range(5)],
        value=5,
        at=SEPTEMBER - timedelta(days=30),
    )
    await add_pulses(
        database,
        seeded,
        [PulseRow(0, "e1", "expired", SEPTEMBER), PulseRow(0, "u1", "unsettled", SEPTEMBER)],
    )
    async with database.begin() as session:
        pulses = (
            await session.exec(select(Pulse).where(col(Pulse.status) == "answered").limit(2))
        ).all()
        for pulse in pulses:
            session.add(
                Comment(
                    pulse_id=pulse.id,
                    commitment_id=pulse.commitment_id,
                    respondent=pulse.respondent,
                    text="Appelez-moi au 06 12 34 56 78",
                    created_at=SEPTEMBER,
                )
            )
    return seeded


async def test_a_reviews_figures_are_the_scorings_own(database: Database) -> None:
    seeded = await _september(database)
    await opened(database, seeded, at=SEPTEMBER)
    september = parse_period("2026-09")
    async with database.begin() as session:
        pack = await review_pack(
            session, period=september, service="rh", caller=None, now=NOW, zone=ZONE
        )
        # A 30-day window ending on 1 October is exactly September: the digest's figure.
        cards = await score_cards(session, as_of=september.span(ZONE).end)
    by_code = {line.commitment.code: line for line in pack.lines}
    csat = by_code["CSAT"]
    expected = next(card for card in cards if card.commitment.code == "CSAT")
    assert csat.figure == expected.current
    assert (csat.figure.respondents, csat.figure.status) == (10, Status.BREACHED)
    assert csat.previous.estimate == 100.0  # August's five happy answers
    assert (csat.counts.sent, csat.counts.answered, csat.counts.unsettled) == (11, 10, 1)
    assert csat.counts.unsettled_share == pytest.approx(100 / 12)
    assert csat.comments == ("Appelez-moi au [téléphone]",) * 2
    assert [p.plan.summary for p in csat.plans] == ["Rappeler sous 2 h"]
    assert [f.respondents for f in csat.series] == [0, 4, 6, 0, 0]
    assert by_code["NPS"].figure.status == Status.INSUFFICIENT
    assert by_code["NPS"].comments == ()


async def test_a_review_shows_only_what_the_caller_owns(database: Database) -> None:
    seeded = await _september(database)
    september = parse_period("2026-09")
    async with database.begin() as session:
        mine = await review_pack(
            session, period=september, service=None, caller=owner_of(seeded), now=NOW, zone=ZONE
        )
        with pytest.raises(OwnersOnly):
            await review_pack(
                session, period=september, service=None, caller=stranger(), now=NOW, zone=ZONE
            )
        with pytest.raises(UnknownCode):
            await review_pack(
                session, period=september, service="XX", caller=None, now=NOW, zone=ZONE
            )
    assert [line.commitment.code for line in mine.lines] == ["CSAT"]
