"""After the send: one reminder, never more; closed pulses say so; "stop asking me" works."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from bot.sandbox import Sandbox
from scheduler.lifecycle import run_lifecycle
from storage.tables import Person, Pulse
from tests.scenarios.conftest import Stack, interaction


async def _age_pulses(stack: Stack, **shift: timedelta) -> None:
    assert stack.instance is not None
    deps = stack.instance.deps
    async with deps.database.begin() as session:
        for pulse in (await session.exec(select(Pulse))).all():
            for name, delta in shift.items():
                setattr(pulse, name, getattr(pulse, name) - delta)
            session.add(pulse)


async def test_one_reminder_after_48_hours_then_never_again(stack: Stack, sandbox: Sandbox) -> None:
    async with stack.bot() as instance:
        await stack.post_interactions([interaction("r1", "U0AGENT01")])
        await stack.until_dispatched()
        assert await run_lifecycle(instance.deps) == (0, 0)  # too early
        await _age_pulses(stack, sent_at=timedelta(hours=49))
        assert await run_lifecycle(instance.deps) == (0, 1)
        assert await run_lifecycle(instance.deps) == (0, 0)
    messages = sandbox.messages("U0AGENT01")
    reminders = [m for m in messages if m.thread_ts]
    assert len(reminders) == 1
    assert "rappel" in reminders[0].text
    assert reminders[0].thread_ts == messages[0].ts


async def test_no_reminder_once_answered(stack: Stack, sandbox: Sandbox) -> None:
    async with stack.bot() as instance:
        await stack.post_interactions([interaction("r2", "U0AGENT02")])
        await stack.until_dispatched()
        agent = sandbox.agent("U0AGENT02")
        message = agent.latest_message()
        await agent.click(
            message, action_id="pulse.answer.4", value=message.blocks[2]["elements"][3]["value"]
        )
        await stack.until(lambda: "Oui" in str(agent.latest_message().blocks))
        await _age_pulses(stack, sent_at=timedelta(hours=49))
        assert await run_lifecycle(instance.deps) == (0, 0)
    assert all(m.thread_ts is None for m in sandbox.messages("U0AGENT02"))


async def test_a_pulse_past_its_window_is_expired_and_loses_its_buttons(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with stack.bot() as instance:
        await stack.post_interactions([interaction("x1", "U0AGENT03")])
        await stack.until_dispatched()
        agent = sandbox.agent("U0AGENT03")
        await _age_pulses(stack, expires_at=timedelta(days=8), sent_at=timedelta(days=8))
        assert await run_lifecycle(instance.deps) == (1, 0)
        closed = agent.latest_message()
        assert "clos" in closed.text
        assert all(block["type"] != "actions" for block in closed.blocks)
    assert await stack.statuses() == {"expired": 1}


async def test_stop_asking_me_takes_effect_at_once_and_can_be_undone(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with stack.bot() as instance:
        await stack.post_interactions([interaction("o1", "U0AGENT04")])
        await stack.until_dispatched()
        agent = sandbox.agent("U0AGENT04")
        await agent.select(action_id="pulse.opt_out", value="opt_out:fr")
        await stack.until(lambda: bool(sandbox.ephemerals("U0AGENT04")))
        assert "ne vous sollicitera plus" in sandbox.ephemerals("U0AGENT04")[-1]["text"]
        async with instance.deps.database.begin() as session:
            assert (await session.get_one(Person, "U0AGENT04")).opted_out
            # Lift the cooldown so only the opt-out can hold the next pulse back.
            await session.exec(
                update(Pulse).values(sent_at=instance.deps.now() - timedelta(days=60))
            )
        await stack.post_interactions([interaction("o2", "U0AGENT04", service="RH")])
        await stack.until_dispatched()
        async with instance.deps.database.begin() as session:
            reasons = (await session.exec(select(Pulse.reason).order_by(col(Pulse.id)))).all()
        assert reasons[-1] == "opted_out"
    assert len([m for m in sandbox.messages("U0AGENT04") if not m.thread_ts]) == 1
