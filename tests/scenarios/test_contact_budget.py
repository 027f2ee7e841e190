"""The contact budget and working hours, through the real dispatcher."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col, select

from bot.sandbox import Sandbox
from storage.engine import open_database
from storage.tables import Pulse, Service
from tests.scenarios.conftest import Stack, interaction


async def _pulses(stack: Stack) -> list[Pulse]:
    database = open_database(stack.database_url)
    try:
        async with database.begin() as session:
            return list((await session.exec(select(Pulse).order_by(col(Pulse.id)))).all())
    finally:
        await database.dispose()


async def _set_service(stack: Stack, code: str, **values: object) -> None:
    database = open_database(stack.database_url)
    try:
        async with database.begin() as session:
            await session.exec(update(Service).where(col(Service.code) == code).values(**values))
    finally:
        await database.dispose()


async def test_competing_interactions_give_one_pulse_and_say_why(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with stack.bot():
        older = (datetime.now(UTC) - timedelta(hours=5)).isoformat()
        await stack.post_interactions(
            [
                interaction("a", "U0AGENT01", occurred_at=older),
                interaction("b", "U0AGENT01"),
                interaction("c", "U0AGENT01", service="RH"),
            ]
        )
        await stack.until_dispatched()
    pulses = await _pulses(stack)
    assert sorted(p.status for p in pulses) == ["sent", "skipped", "skipped"]
    assert {p.reason for p in pulses if p.status == "skipped"} == {"another_pulse_chosen"}
    assert len(sandbox.messages("U0AGENT01")) == 1


async def test_a_person_asked_recently_is_not_asked_again(stack: Stack, sandbox: Sandbox) -> None:
    async with stack.bot():
        await stack.post_interactions([interaction("first", "U0AGENT02")])
        await stack.until_dispatched()
        await stack.post_interactions([interaction("second", "U0AGENT02", service="RH")])
        await stack.until_dispatched()
    pulses = await _pulses(stack)
    assert [(p.status, p.reason) for p in pulses] == [("sent", None), ("skipped", "cooldown")]
    assert len(sandbox.messages("U0AGENT02")) == 1


async def test_outside_working_hours_a_pulse_waits_for_the_next_window(stack: Stack) -> None:
    # A window closed right now in the agent's zone (Paris), whatever the hour the suite runs at.
    now = datetime.now(ZoneInfo("Europe/Paris"))
    start = (now + timedelta(hours=2)).strftime("%H:00")
    end = (now + timedelta(hours=3)).strftime("%H:00")
    if start >= end:  # around midnight: use a window that is certainly not now
        start, end = "03:00", "04:00"
    await _set_service(stack, "SI", working_hours=f"mon-sun {start}-{end}", holidays="none")
    async with stack.bot():
        await stack.post_interactions([interaction("late", "U0AGENT03")])

        async def deferred() -> bool:
            pulses = await _pulses(stack)
            return pulses[0].status == "pending" and pulses[0].due_at > datetime.now(UTC)

        await stack.until(deferred)
    pulse = (await _pulses(stack))[0]
    assert pulse.attempts == 0
    assert pulse.due_at > datetime.now(UTC)


async def test_sampling_zero_skips_every_pulse(stack: Stack, sandbox: Sandbox) -> None:
    await _set_service(stack, "SI", sampling_percent=0)
    async with stack.bot():
        await stack.post_interactions(
            [interaction(f"s{i}", f"U0AGENT{i:02d}") for i in range(1, 6)]
        )
        statuses = await stack.until_dispatched()
    assert statuses == {"skipped": 5}
    assert {p.reason for p in await _pulses(stack)} == {"not_sampled"}
