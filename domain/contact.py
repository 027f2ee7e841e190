"""The contact budget, read from the pulses and the plan notes already sent under each pseudonym."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import PlanNote, Pulse

CONTACTED = ("sent", "answered", "expired")


async def last_contact(session: AsyncSession, *, respondent: str) -> datetime | None:
    """Return when this person was last sent a pulse or a plan's note, across every service."""
    return (await last_contacts(session, respondents=[respondent])).get(respondent)


async def last_contacts(
    session: AsyncSession, *, respondents: Collection[str]
) -> dict[str, datetime]:
    """Return the last pulse or plan note sent under each pseudonym that has one."""
    if not respondents:
        return {}
    wanted = list(respondents)
    pulses = await session.exec(
        select(Pulse.respondent, func.max(Pulse.sent_at))
        .where(col(Pulse.respondent).in_(wanted))
        .where(col(Pulse.status).in_(CONTACTED))
        .group_by(col(Pulse.respondent))
    )
    # A "you said, we did" note is a contact too: it spends the same budget.
    notes = await session.exec(
        select(PlanNote.respondent, func.max(PlanNote.sent_at))
        .where(col(PlanNote.respondent).in_(wanted))
        .where(col(PlanNote.sent_at).is_not(None))
        .group_by(col(PlanNote.respondent))
    )
    latest: dict[str, datetime] = {}
    for respondent, at in [*pulses.all(), *notes.all()]:
        instant = _aware(at)
        if respondent is not None and instant is not None:
            latest[respondent] = max(instant, latest.get(respondent, instant))
    return latest


def _aware(value: object) -> datetime | None:
    # Grouped aggregates may bypass the column type: SQLite can hand back naive UTC text.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


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
