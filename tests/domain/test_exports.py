"""Exports: cells under five people dropped with their answers, keys new for every export."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from domain.exports import answer_lines, new_salt, plan_export
from domain.review_periods import parse_period
from storage.engine import Database
from storage.tables import Answer, Comment, Pulse
from tests.domain.plan_fixtures import ZONE, answered, seed

SEPTEMBER = datetime(2026, 9, 10, 12, 0, tzinfo=ZONE)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=ZONE)


async def _seed(database: Database) -> None:
    seeded = await seed(database)
    await answered(database, seeded, [(f"s{i}", None) for i in range(10)], value=4, at=SEPTEMBER)
    october = SEPTEMBER + timedelta(days=30)
    await answered(database, seeded, [(f"o{i}", None) for i in range(3)], value=1, at=october)
    await answered(
        database, seeded, [("n1", None), ("n2", None)], value=9, at=SEPTEMBER, commitment=1
    )
    async with database.begin() as session:
        pulses = (await session.exec(select(Pulse).order_by(col(Pulse.id)))).all()
        for pulse, at in ((pulses[0], SEPTEMBER), (pulses[10], october)):
            session.add(
                Comment(
                    pulse_id=pulse.id,
                    commitment_id=pulse.commitment_id,
                    respondent=pulse.respondent,
                    text=f"écrivez à agent@finances.gouv.fr ({at:%B})",
                    created_at=at,
                )
            )


async def _lines(database: Database, salt: bytes, period: str | None = "2026"):
    async with database.begin() as session:
        plan = await plan_export(
            session, period=parse_period(period) if period else None, zone=ZONE, now=NOW
        )
        lines = [line async for line in answer_lines(session, plan=plan, zone=ZONE, salt=salt)]
    return plan, lines


async def test_small_cells_are_dropped_with_their_answers(database: Database) -> None:
    await _seed(database)
    plan, lines = await _lines(database, new_salt())
    assert [(c.commitment, c.month, c.respondents) for c in plan.cells] == [("CSAT", "2026-09", 10)]
    assert plan.cells[0].score == 100.0
    assert plan.dropped == 2  # CSAT in October (3 people), NPS in September (2 people)
    assert len(lines) == 10
    assert {(line.commitment, line.day.isoformat()) for line in lines} == {("CSAT", "2026-09-10")}
    assert [c.text for c in plan.comments] == ["écrivez à [e-mail] (September)"]
    everything, _ = await _lines(database, new_salt(), None)
    assert everything.cells == plan.cells


async def test_respondents_get_new_keys_in_every_export(database: Database) -> None:
    await _seed(database)
    _, first = await _lines(database, new_salt())
    _, second = await _lines(database, new_salt())
    async with database.begin() as session:
        stored = set((await session.exec(select(Answer.respondent))).all())
    first_keys = {line.respondent for line in first}
    second_keys = {line.respondent for line in second}
    assert len(first_keys) == len(second_keys) == 10
    assert first_keys.isdisjoint(second_keys)
    assert first_keys.isdisjoint(stored)
