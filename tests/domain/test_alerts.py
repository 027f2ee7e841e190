"""Alerts fire on the fall, re-arm only after a real recovery, at most once a day."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from sqlmodel import select

from domain.alerts import AlertClaim, claim_pending, evaluate_states, margin_for
from domain.scoring import ScoreCard, score_cards
from domain.tallies import CommitmentInfo
from storage.engine import Database
from storage.tables import AlertDelivery, DeliveryStatus
from tests.domain.score_fixtures import (
    AS_OF,
    AnswerRow,
    CommitmentSpec,
    PulseRow,
    Seeded,
    add_pulses,
    seed_charter,
)

CSAT = (CommitmentSpec("CSAT", "csat", 80.0, ("rating_5",), min_responses=5),)


async def _answers(
    database: Database, seeded: Seeded, values: list[int], at: datetime, tag: str
) -> None:
    rows = [
        PulseRow(0, f"{tag}{i}", "answered", at, (AnswerRow(0, value, at),))
        for i, value in enumerate(values)
    ]
    await add_pulses(database, seeded, rows)


async def _evaluate(database: Database, now: datetime, today: date) -> list[AlertClaim]:
    async with database.begin() as session:
        cards: list[ScoreCard] = await score_cards(session, as_of=now, with_previous=False)
        owners = {card.commitment.id: list(card.commitment.owners) for card in cards}
        return await evaluate_states(session, cards=cards, owners=owners, now=now, today=today)


async def test_falls_alert_once_and_recover_with_hysteresis(database: Database) -> None:
    seeded = await seed_charter(database, CSAT)
    day = AS_OF.date()
    # first look: not enough answers yet
    assert await _evaluate(database, AS_OF, day) == []
    # 10 happy then 10 unhappy: 50 %, its whole interval under 80 % -> raised, once
    await _answers(database, seeded, [5] * 10, AS_OF - timedelta(days=3), "a")
    assert await _evaluate(database, AS_OF, day) == []
    await _answers(database, seeded, [1] * 10, AS_OF - timedelta(days=2), "b")
    claims = await _evaluate(database, AS_OF, day)
    assert [(c.level, c.owners) for c in claims] == [("breached", ("UOWNER1",))]
    assert await _evaluate(database, AS_OF + timedelta(minutes=5), day) == []
    # back to 81.5 %: above the target but within its margin, the alert stays disarmed
    await _answers(database, seeded, [5] * 34, AS_OF - timedelta(days=1), "c")
    assert await _evaluate(database, AS_OF, day) == []
    # the next day: a fall while disarmed is silent; 85.9 % (beyond the margin) re-arms
    await _answers(database, seeded, [1] * 30, AS_OF - timedelta(hours=20), "d")
    assert await _evaluate(database, AS_OF, day + timedelta(days=1)) == []
    await _answers(database, seeded, [5] * 200, AS_OF - timedelta(hours=10), "e")
    assert await _evaluate(database, AS_OF, day + timedelta(days=1)) == []
    await _answers(database, seeded, [1] * 150, AS_OF - timedelta(hours=5), "f")
    # re-armed, and the last alert was the day before: this fall alerts
    again = await _evaluate(database, AS_OF, day + timedelta(days=1))
    assert [c.level for c in again] == ["breached"]


async def test_at_most_one_alert_a_day(database: Database) -> None:
    seeded = await seed_charter(database, CSAT)
    day = AS_OF.date()
    await _answers(database, seeded, [5] * 10, AS_OF - timedelta(days=3), "a")
    await _evaluate(database, AS_OF, day)
    await _answers(database, seeded, [1] * 10, AS_OF - timedelta(days=2), "b")
    assert len(await _evaluate(database, AS_OF, day)) == 1
    await _answers(database, seeded, [5] * 200, AS_OF - timedelta(days=1), "c")
    assert await _evaluate(database, AS_OF, day) == []  # re-armed
    await _answers(database, seeded, [1] * 400, AS_OF - timedelta(hours=1), "d")
    assert await _evaluate(database, AS_OF, day) == []  # fell again, but already alerted today
    assert len(await _evaluate(database, AS_OF, day + timedelta(days=1))) == 1


async def test_first_seen_under_target_waits_for_the_digest(database: Database) -> None:
    seeded = await seed_charter(database, CSAT)
    await _answers(database, seeded, [1] * 10, AS_OF - timedelta(days=2), "a")
    assert await _evaluate(database, AS_OF, AS_OF.date()) == []


async def test_instances_evaluating_together_raise_one_alert(database: Database) -> None:
    seeded = await seed_charter(database, CSAT)
    await _evaluate(database, AS_OF, AS_OF.date())
    await _answers(database, seeded, [1] * 10, AS_OF - timedelta(days=2), "a")
    results = await asyncio.gather(
        *(_evaluate(database, AS_OF, AS_OF.date()) for _ in range(4)), return_exceptions=True
    )
    claims = [c for r in results if isinstance(r, list) for c in r]
    assert len(claims) == 1
    async with database.begin() as session:
        pending = await claim_pending(session, now=AS_OF)
        again = await claim_pending(session, now=AS_OF)
        rows = (await session.exec(select(AlertDelivery))).all()
    assert [p.owner for p in pending] == ["UOWNER1"]
    assert again == []
    assert [row.status for row in rows] == [DeliveryStatus.SENDING]


def test_margins() -> None:
    def info(metric: str, kind: str) -> CommitmentInfo:
        return CommitmentInfo(1, "C", "t", None, None, metric, 3.0, 5, 30, (), kind, (1,))

    assert margin_for(info("csat", "rating_5")) == 5.0
    assert margin_for(info("nps", "nps_10")) == 5.0
    assert margin_for(info("mean", "rating_5")) == 0.2
