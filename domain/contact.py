"""The contact budget, read from the pulses already sent under each pseudonym."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Pulse

CONTACTED = ("sent", "answered", "expired")


async def last_contact(session: AsyncSession, *, respondent: str) -> datetime | None:
    """Return when this person was last sent a pulse, across every service."""
    row = await session.exec(
        select(func.max(Pulse.sent_at))
        .where(col(Pulse.respondent) == respondent)
        .where(col(Pulse.status).in_(CONTACTED))
    )
    value = row.one()
    return value if isinstance(value, datetime) else None


async def recent_commitments(
    session: AsyncSession, *, respondent: str, since: datetime
) -> set[int]:
    """Return the commitments this person was asked about since `since`."""
    rows = await session.exec(
        select(Pulse.commitment_id)
        .where(col(Pulse.respondent) == respondent)
        .where(col(Pulse.status).in_(CONTACTED))
        .where(col(Pulse.sent_at) >= since)
    )
    return {int(c) for c in rows.all() if c is not None}
