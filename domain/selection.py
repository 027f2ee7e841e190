"""Choose what a pulse asks: the commitment that most needs answers, and its questions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.pulse_view import BUTTON_KINDS
from storage.tables import Answer, Commitment, Question

MAX_QUESTIONS = 3


@dataclass(frozen=True)
class Selection:
    """The commitment a pulse is about and the (at most three) questions it asks."""

    commitment_id: int
    question_ids: tuple[int, ...]


async def select_questions(
    session: AsyncSession, *, service_id: int, now: datetime
) -> Selection | None:
    """Pick the live commitment furthest from its minimum respondents, or None if none applies."""
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
        questions = await _button_questions(session, commitment_id=commitment.id or 0)
        if not questions:
            continue
        respondents = await _respondents(session, commitment=commitment, now=now)
        coverage = respondents / max(1, commitment.min_responses)
        specific_first = 0 if commitment.service_id is not None else 1
        candidates.append((coverage, specific_first, commitment.code, commitment, questions))
    if not candidates:
        return None
    _, _, _, chosen, questions = min(candidates, key=lambda c: (c[0], c[1], c[2]))
    return Selection(
        commitment_id=chosen.id or 0,
        question_ids=tuple(q.id or 0 for q in questions[:MAX_QUESTIONS]),
    )


async def _button_questions(session: AsyncSession, *, commitment_id: int) -> list[Question]:
    rows = await session.exec(
        select(Question)
        .where(Question.commitment_id == commitment_id)
        .where(col(Question.active).is_(True))
        .where(col(Question.kind).in_(BUTTON_KINDS))
        .order_by(col(Question.position), col(Question.id))
    )
    return list(rows.all())


async def _respondents(session: AsyncSession, *, commitment: Commitment, now: datetime) -> int:
    since = now - timedelta(days=commitment.window_days)
    count = await session.exec(
        select(func.count(func.distinct(Answer.respondent)))
        .where(Answer.commitment_id == commitment.id)
        .where(Answer.answered_at >= since)
    )
    return int(count.one())
