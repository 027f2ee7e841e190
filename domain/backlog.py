"""The figures operators watch, read from the database so every instance reports the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Interaction, Pulse, PulseStatus


@dataclass(frozen=True)
class Backlog:
    """Interactions stored, pulses by status, and the queue of pulses due but not yet sent."""

    interactions: int
    pulses: dict[str, int]
    due: int
    oldest_due_at: datetime | None


async def read_backlog(session: AsyncSession, *, now: datetime) -> Backlog:
    """Count interactions and pulses, and measure the queue of pending pulses already due."""
    interactions = (await session.exec(select(func.count()).select_from(Interaction))).one()
    rows = (
        await session.exec(select(col(Pulse.status), func.count()).group_by(col(Pulse.status)))
    ).all()
    pulses = {str(status): 0 for status in PulseStatus}
    pulses.update({str(status): int(count) for status, count in rows})
    # Served by ix_pulse_status_due, whatever the size of the table.
    due, oldest = (
        await session.exec(
            select(func.count(), func.min(col(Pulse.due_at)))
            .where(col(Pulse.status) == PulseStatus.PENDING)
            .where(col(Pulse.due_at) <= now)
        )
    ).one()
    return Backlog(
        interactions=int(interactions), pulses=pulses, due=int(due), oldest_due_at=oldest
    )
