"""Retention: identity links live only while a pulse is open (plus a grace), answers 24 months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Answer, Comment, Interaction, Pulse, PulseStatus, SlackEvent

# Statuses in which a pulse will never be sent or answered again.
CLOSED = (
    PulseStatus.EXPIRED,
    PulseStatus.ANSWERED,
    PulseStatus.FAILED,
    PulseStatus.UNDELIVERABLE,
    PulseStatus.SKIPPED,
)


@dataclass(frozen=True)
class RetentionPolicy:
    """How long each kind of data is kept (defaults for the data protection officer to confirm)."""

    identity_after_close: timedelta = timedelta(days=30)
    answers: timedelta = timedelta(days=730)
    # Slack retries an event for about 5 minutes: a day of event ids is plenty to dedupe.
    slack_events: timedelta = timedelta(days=1)


@dataclass(frozen=True)
class RetentionReport:
    """What one pass of the retention job removed."""

    unlinked_pulses: int
    unlinked_interactions: int
    deleted_answers: int
    deleted_comments: int
    deleted_events: int = 0


async def apply_retention(
    session: AsyncSession, *, now: datetime, policy: RetentionPolicy
) -> RetentionReport:
    """Erase identity links of long-closed pulses and delete answers past their retention."""
    link_limit = now - policy.identity_after_close
    closed_long_ago = (
        select(Pulse.id)
        .where(col(Pulse.closed_at).is_not(None))
        .where(col(Pulse.closed_at) <= link_limit)
        .where(col(Pulse.status).in_(CLOSED))
        .where(col(Pulse.recipient).is_not(None) | col(Pulse.recipient_email).is_not(None))
    )
    ids = [int(i) for i in (await session.exec(closed_long_ago)).all() if i is not None]
    unlinked = await _unlink(session, pulse_ids=ids)
    answer_limit = now - policy.answers
    answers = await session.exec(delete(Answer).where(col(Answer.answered_at) < answer_limit))
    comments = await session.exec(delete(Comment).where(col(Comment.created_at) < answer_limit))
    events = await session.exec(
        delete(SlackEvent).where(col(SlackEvent.received_at) < now - policy.slack_events)
    )
    return RetentionReport(
        unlinked_pulses=len(ids),
        unlinked_interactions=unlinked,
        deleted_answers=answers.rowcount or 0,
        deleted_comments=comments.rowcount or 0,
        deleted_events=events.rowcount or 0,
    )


async def _unlink(session: AsyncSession, *, pulse_ids: list[int]) -> int:
    """Remove who a pulse went to (and what the request said): only the pseudonym remains."""
    if not pulse_ids:
        return 0
    await session.exec(
        update(Pulse)
        .where(col(Pulse.id).in_(pulse_ids))
        .values(recipient=None, recipient_email=None, channel=None, ts=None)
    )
    interaction_ids = select(Pulse.interaction_id).where(col(Pulse.id).in_(pulse_ids))
    result = await session.exec(
        update(Interaction)
        .where(col(Interaction.id).in_(interaction_ids))
        .values(beneficiary_user_id=None, beneficiary_email=None, reference=None, summary=None)
    )
    return result.rowcount or 0
