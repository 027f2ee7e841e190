"""Helpers for the plan scenarios: agents who answer, a breach seeded for RH, time moved."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from bot.sandbox import Sandbox
from storage.tables import BreachWatch, Commitment, Pulse, Question, Service
from tests.domain.score_fixtures import AnswerRow, PulseRow, Seeded, add_pulses
from tests.scenarios.conftest import Stack, interaction


def answer_buttons(message: Any) -> list[dict[str, Any]]:
    """Return a pulse's answer buttons, lowest first."""
    return [
        element
        for block in message.blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"].startswith("pulse.answer.")
    ]


async def answer(
    stack: Stack, sandbox: Sandbox, users: Sequence[str], *, best: bool, tag: str
) -> None:
    """Send each user a SI pulse and have them click the lowest (or highest) rating."""
    await stack.post_interactions([interaction(f"{tag}-{user}", user) for user in users])
    await stack.until_dispatched()
    before = (await stack.statuses()).get("answered", 0)
    for user in users:
        agent = sandbox.agent(user)
        pulse = agent.latest_message()
        choice = answer_buttons(pulse)[-1 if best else 0]
        delivery = await agent.click(pulse, action_id=choice["action_id"], value=choice["value"])
        assert delivery.status == 200

    async def all_answered() -> bool:
        return (await stack.statuses()).get("answered", 0) == before + len(users)

    await stack.until(all_answered)


async def seed_rh_breach(stack: Stack, now: datetime) -> None:
    """Store eight NPS answers of 0 for RH-01 (its service has no pulse flow in the scenarios)."""
    assert stack.instance is not None
    async with stack.instance.deps.database.begin() as session:
        service = (await session.exec(select(Service).where(Service.code == "RH"))).one()
        commitment = (
            await session.exec(select(Commitment).where(Commitment.code == "RH-01"))
        ).one()
        question = (
            await session.exec(select(Question).where(Question.commitment_id == commitment.id))
        ).one()
    seeded = Seeded(
        service_id=service.id or 0,
        commitment_ids=[commitment.id or 0],
        questions=[[(question.id or 0, question.kind)]],
    )
    at = now - timedelta(days=1)
    rows = [PulseRow(0, f"rh{i}", "answered", at, (AnswerRow(0, 0, at),)) for i in range(8)]
    await add_pulses(stack.instance.deps.database, seeded, rows)


async def age_breaches(stack: Stack, days: float) -> None:
    """Move every breach's start `days` into the past."""
    assert stack.instance is not None
    async with stack.instance.deps.database.begin() as session:
        for watch in (await session.exec(select(BreachWatch))).all():
            if watch.breached_since is not None:
                watch.breached_since -= timedelta(days=days)
                session.add(watch)


async def age_pulses(stack: Stack, users: Sequence[str], days: float) -> None:
    """Move the users' pulses' sends `days` into the past (out of the contact cooldown)."""
    assert stack.instance is not None
    async with stack.instance.deps.database.begin() as session:
        for pulse in (
            await session.exec(select(Pulse).where(col(Pulse.recipient).in_(list(users))))
        ).all():
            assert pulse.sent_at is not None
            pulse.sent_at -= timedelta(days=days)
            session.add(pulse)


async def erase_link(stack: Stack, user: str) -> None:
    """Do what retention does 30 days after a pulse closed: forget whom it went to."""
    assert stack.instance is not None
    async with stack.instance.deps.database.begin() as session:
        await session.exec(
            update(Pulse).where(col(Pulse.recipient) == user).values(recipient=None, channel=None)
        )
