"""Record a recipient's clicks and comment on an open pulse, idempotently."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.errors import DomainError, InvalidInput, NotAllowed, NotFound
from domain.pulse_view import SCALES, PulseView, load_pulse_view
from storage.tables import Answer, Comment, Pulse, PulseStatus
from storage.upsert import insert_for

MAX_COMMENT = 3000


class PulseClosed(DomainError):
    """The pulse no longer takes answers."""

    key = "pulse.closed"


class NotRecipient(NotAllowed):
    """Someone other than the recipient clicked."""

    key = "pulse.not_yours"


@dataclass(frozen=True)
class AnswerOutcome:
    """The pulse after the click, and which question to show next (None: all answered)."""

    view: PulseView
    next_index: int | None


async def open_pulse(session: AsyncSession, *, pulse_id: int, user_id: str, now: datetime) -> Pulse:
    """Return the pulse if `user_id` may still answer it, else raise why not."""
    pulse = await session.get(Pulse, pulse_id)
    if pulse is None:
        raise NotFound(what=f"pulse {pulse_id}")
    if pulse.recipient != user_id:
        raise NotRecipient()
    if pulse.status not in (PulseStatus.SENT, PulseStatus.ANSWERED) or (
        pulse.expires_at is not None and pulse.expires_at <= now
    ):
        raise PulseClosed(locale=pulse.locale)
    return pulse


async def record_answer(
    session: AsyncSession,
    *,
    pulse_id: int,
    question_id: int,
    value: int,
    user_id: str,
    now: datetime,
) -> AnswerOutcome:
    """Store (or change) one answer; a repeated click stores nothing new."""
    pulse = await open_pulse(session, pulse_id=pulse_id, user_id=user_id, now=now)
    view = await load_pulse_view(session, pulse=pulse)
    try:
        index = view.index_of(question_id)
    except KeyError:
        raise InvalidInput(f"question {question_id} is not in pulse {pulse_id}") from None
    if value not in SCALES[view.questions[index].kind]:
        raise InvalidInput(f"{value} is not a choice of question {question_id}")
    assert pulse.commitment_id is not None
    assert pulse.respondent is not None
    insert = insert_for(session, Answer)
    statement = insert.values(
        pulse_id=pulse_id,
        question_id=question_id,
        commitment_id=pulse.commitment_id,
        respondent=pulse.respondent,
        value=value,
        answered_at=now,
    )
    # A new click on an open pulse changes the answer; the same click again changes nothing.
    statement = statement.on_conflict_do_update(
        index_elements=["pulse_id", "question_id"],
        set_={"value": statement.excluded.value, "answered_at": statement.excluded.answered_at},
        where=insert.table.c.value != statement.excluded.value,
    )
    await session.exec(statement)
    if pulse.status == PulseStatus.SENT:
        pulse.status = PulseStatus.ANSWERED
        session.add(pulse)
    next_index = index + 1 if index + 1 < len(view.questions) else None
    commented = await _has_comment(session, pulse_id=pulse_id)
    return AnswerOutcome(view=_with_comment(view, commented), next_index=next_index)


async def record_comment(
    session: AsyncSession, *, pulse_id: int, user_id: str, text: str, now: datetime
) -> PulseView:
    """Store the recipient's comment (a new one replaces the old)."""
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput("empty comment", fields={"comment": "empty"})
    if len(cleaned) > MAX_COMMENT:
        raise InvalidInput("comment too long", fields={"comment": "too_long"})
    pulse = await open_pulse(session, pulse_id=pulse_id, user_id=user_id, now=now)
    assert pulse.commitment_id is not None
    assert pulse.respondent is not None
    insert = insert_for(session, Comment)
    statement = insert.values(
        pulse_id=pulse_id,
        commitment_id=pulse.commitment_id,
        respondent=pulse.respondent,
        text=cleaned,
        created_at=now,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["pulse_id"],
        set_={"text": statement.excluded.text, "created_at": statement.excluded.created_at},
    )
    await session.exec(statement)
    return _with_comment(await load_pulse_view(session, pulse=pulse), True)


async def pulse_for_recipient(
    session: AsyncSession, *, pulse_id: int, user_id: str, now: datetime
) -> PulseView:
    """Return the view of an open pulse for its recipient (e.g. to open the comment form)."""
    pulse = await open_pulse(session, pulse_id=pulse_id, user_id=user_id, now=now)
    commented = await _has_comment(session, pulse_id=pulse_id)
    return _with_comment(await load_pulse_view(session, pulse=pulse), commented)


async def answers_of(session: AsyncSession, *, pulse_id: int) -> dict[int, int]:
    """Return the stored answers of a pulse by question id."""
    rows = await session.exec(
        select(Answer.question_id, Answer.value).where(col(Answer.pulse_id) == pulse_id)
    )
    return {int(question): int(value) for question, value in rows.all()}


async def _has_comment(session: AsyncSession, *, pulse_id: int) -> bool:
    row = await session.exec(select(Comment.id).where(col(Comment.pulse_id) == pulse_id))
    return row.first() is not None


def _with_comment(view: PulseView, commented: bool) -> PulseView:
    return replace(view, commented=commented)
