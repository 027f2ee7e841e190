"""The optional first step: "is your request really settled?" — "not yet" is heard apart."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from domain.answers import open_pulse
from domain.pulse_view import PulseView, load_pulse_view
from storage.tables import Interaction, Notice, Pulse, PulseStatus, Service
from storage.upsert import insert_for

OWNER_NOTICE = "unsettled_owner"
CALLBACK_NOTICE = "unsettled_callback"


async def answer_settled(
    session: AsyncSession, *, pulse_id: int, user_id: str, settled: bool, now: datetime
) -> PulseView:
    """Record the answer; "not yet" closes the pulse out of the scores and tells the service."""
    pulse = await open_pulse(session, pulse_id=pulse_id, user_id=user_id, now=now)
    if pulse.settled is not None:
        return await load_pulse_view(session, pulse=pulse)  # a double click changes nothing
    pulse.settled = settled
    if not settled:
        pulse.status = PulseStatus.UNSETTLED
        pulse.closed_at = now
        await _owe_notices(session, pulse=pulse, now=now)
    session.add(pulse)
    await session.flush()
    return await load_pulse_view(session, pulse=pulse)


async def _owe_notices(session: AsyncSession, *, pulse: Pulse, now: datetime) -> None:
    # Written in the same transaction as the answer: the notices cannot be lost or doubled.
    service = await session.get_one(Service, pulse.service_id)
    interaction = await session.get_one(Interaction, pulse.interaction_id)
    rows = [(OWNER_NOTICE, owner) for owner in service.owners]
    if interaction.callback_url:
        rows.append((CALLBACK_NOTICE, interaction.callback_url))
    if not rows:
        return
    statement = insert_for(session, Notice).values(
        [
            {
                "kind": kind,
                "pulse_id": pulse.id,
                "recipient": recipient,
                "created_at": now,
                "due_at": now,
                "attempts": 0,
            }
            for kind, recipient in rows
        ]
    )
    await session.exec(statement.on_conflict_do_nothing())
