"""Choose what a pulse asks: the commitment that most needs answers, and its questions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.pulse_view import BUTTON_KINDS
from storage.tables import Answer, Commitment, Pulse, PulseStatus, Question

MAX_QUESTIONS = 3


@dataclass(frozen=True)
class Selection:
    """The commitment a pulse is about and the (at most three) questions it asks."""

    commitment_id: int
    question_ids: tuple[int, ...]
    coverage: float


async def select_questions(
    session: AsyncSession,
    *,
    service_id: int,
    now: datetime,
    exclude: frozenset[int] = frozenset(),
) -> Selection | None:
    """Pick the live commitment furthest from its minimum respondents, or None if none applies.

    Commitments in `exclude` (asked of this person recently) are passed over. When a commitment
    has more questions than a pulse holds, the least-answered ones in its window go first, so
    every question reaches its minimum over time.
    """
    commitments = (
        await session.exec(
            select(Commitment)
            .where(
                or_(col(Commitment.service_id).is_(None), col(Commitment.service_id) == service_id)
            )
            .where(col(Commitment.archived_at).is_(None))
        )
    ).all()
    candidates: list[tuple[float, int, str, Commitment, list[Question]]] = []
    for commitment in commitments:
        if commitment.id in exclude:
            continue
        questions = await _button_questions(session, commitment=commitment, now=now)
        if not questions:
            continue
        respondents = await _respondents(session, commitment=commitment, now=now)
        coverage = respondents / max(1, commitment.min_responses)
        specific_first = 0 if commitment.service_id is not None else 1
        candidates.append((coverage, specific_first, commitment.code, commitment, questions))
    if not candidates:
        return None
    coverage, _, _, chosen, questions = min(candidates, key=lambda c: (c[0], c[1], c[2]))
    return Selection(
        commitment_id=chosen.id or 0,
        question_ids=tuple(q.id or 0 for q in questions),
        coverage=coverage,
    )


async def _button_questions(
    session: AsyncSession, *, commitment: Commitment, now: datetime
) -> list[Question]:
    """Return at most three live questions, least answered first, then in charter order."""
    questions = list(
        (
            await session.exec(
                select(Question)
                .where(Question.commitment_id == commitment.id)
                .where(col(Question.active).is_(True))
                .where(col(Question.kind).in_(BUTTON_KINDS))
                .order_by(col(Question.position), col(Question.id))
            )
        ).all()
    )
    if len(questions) <= MAX_QUESTIONS:
        return questions
    since = now - timedelta(days=commitment.window_days)
    counts = dict(
        (
            await session.exec(
                select(Answer.question_id, func.count())
                .where(Answer.commitment_id == commitment.id)
                .where(Answer.answered_at >= since)
                .group_by(col(Answer.question_id))
            )
        ).all()
    )
    chosen = sorted(questions, key=lambda q: counts.get(q.id or 0, 0))[:MAX_QUESTIONS]
    # Ask them in the charter's order, whatever made them due.
    return sorted(chosen, key=lambda q: (q.position, q.id or 0))


# Half of those asked answer, as a prior: enough to spread a batch over the commitments.
EXPECTED_ANSWER_RATE = 0.5


async def _respondents(session: AsyncSession, *, commitment: Commitment, now: datetime) -> float:
    """Return respondents in the window, plus the answers expected from pulses still open."""
    since = now - timedelta(days=commitment.window_days)
    answered = await session.exec(
        select(func.count(func.distinct(Answer.respondent)))
        .where(Answer.commitment_id == commitment.id)
        .where(Answer.answered_at >= since)
    )
    awaiting = await session.exec(
        select(func.count())
        .select_from(Pulse)
        .where(col(Pulse.commitment_id) == commitment.id)
        .where(col(Pulse.status).in_((PulseStatus.SENDING, PulseStatus.SENT)))
        .where(col(Pulse.due_at) >= since)
    )
    return int(answered.one()) + EXPECTED_ANSWER_RATE * int(awaiting.one())
