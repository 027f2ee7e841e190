"""Pseudonymous answers for analysts, with the protections of every other figure.

- Cells are (commitment, month): a cell answered by fewer than five people is dropped whole,
  its answers with it, and totals are only ever sums of kept cells (nothing to subtract).
- Respondents are re-keyed for each export with a random salt that is never stored: two
  exports cannot be joined person by person, nor joined to the database's pseudonyms.
- Answers carry their day, not their time; comments (masked) only their month, no respondent,
  and only in cells answered by ten people or more.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.digests import COMMENT_MIN_RESPONDENTS
from domain.masking import mask_personal_data
from domain.review_periods import Period, days_span, parse_period
from domain.reviews import MIN_GROUP
from domain.scoring import figure
from domain.tallies import CommitmentInfo, Span, load_commitments, select_columns, tally_span
from storage.tables import Answer, Comment, Question, Service


@dataclass(frozen=True)
class Cell:
    """One commitment over one month, kept because enough people answered."""

    commitment_id: int
    service: str
    commitment: str
    metric: str
    month: str
    start: date
    end: date
    respondents: int
    answers: int
    score: float | None
    low: float | None
    high: float | None
    threshold: float


@dataclass(frozen=True)
class AnswerLine:
    """One answer, under this export's own key for its respondent."""

    respondent: str
    service: str
    commitment: str
    question: str
    kind: str
    value: int
    day: date


@dataclass(frozen=True)
class CommentLine:
    """One masked comment of a cell answered by ten people or more."""

    service: str
    commitment: str
    month: str
    text: str


@dataclass(frozen=True)
class ExportPlan:
    """What one export contains: its kept cells, how many were dropped, and its comments."""

    period: str | None
    generated_at: datetime
    cells: tuple[Cell, ...]
    dropped: int
    comments: tuple[CommentLine, ...]


def months_between(first: date, last: date) -> list[Period]:
    """Return every month from `first`'s to `last`'s, in order."""
    months: list[Period] = []
    cursor = date(first.year, first.month, 1)
    while cursor <= last:
        month = parse_period(f"{cursor.year}-{cursor.month:02d}")
        months.append(month)
        cursor = month.end
    return months


async def plan_export(
    session: AsyncSession,
    *,
    period: Period | None,
    zone: ZoneInfo,
    now: datetime,
    email_mask: str = "[e-mail]",
    phone_mask: str = "[téléphone]",
) -> ExportPlan:
    """Decide the cells of an export (every retained answer when `period` is None)."""
    commitments = await load_commitments(session)
    if period is not None:
        months = months_between(period.start, period.end - timedelta(days=1))
    else:
        first = _aware((await session.exec(select(func.min(Answer.answered_at)))).one())
        if first is None:
            return ExportPlan(None, now, (), 0, ())
        months = months_between(first.astimezone(zone).date(), now.astimezone(zone).date())
    services = {s.id: s.code for s in (await session.exec(select(Service))).all()}
    cells: list[Cell] = []
    dropped = 0
    for month in months:
        span = month.span(zone)
        people = await _respondents(session, commitments=commitments, span=span)
        scored = await tally_span(session, commitments=commitments, span=span)
        for c in commitments:
            respondents, answers = people.get(c.id, (0, 0))
            if not respondents:
                continue
            if respondents < MIN_GROUP:
                dropped += 1
                continue
            interval = figure(c, scored.get(c.id)).interval
            cells.append(
                Cell(
                    commitment_id=c.id,
                    service=services.get(c.service_id, "") if c.service_id else "",
                    commitment=c.code,
                    metric=c.metric,
                    month=month.label,
                    start=month.start,
                    end=month.end,
                    respondents=respondents,
                    answers=answers,
                    score=interval.estimate if interval else None,
                    low=interval.low if interval else None,
                    high=interval.high if interval else None,
                    threshold=c.threshold,
                )
            )
    comments = await _comments(session, cells=cells, zone=zone, email=email_mask, phone=phone_mask)
    return ExportPlan(period.label if period else None, now, tuple(cells), dropped, comments)


async def _respondents(
    session: AsyncSession, *, commitments: Sequence[CommitmentInfo], span: Span
) -> dict[int, tuple[int, int]]:
    """Return (respondents, answers) per commitment over every one of its questions."""
    if not commitments:
        return {}
    rows = await session.exec(
        select_columns(
            col(Answer.commitment_id),
            func.count(func.distinct(col(Answer.respondent))),
            func.count(),
        )
        .where(col(Answer.commitment_id).in_([c.id for c in commitments]))
        .where(col(Answer.answered_at) >= span.start, col(Answer.answered_at) < span.end)
        .group_by(col(Answer.commitment_id))
    )
    return {int(c): (int(people), int(count)) for c, people, count in rows.all()}


async def _comments(
    session: AsyncSession, *, cells: Sequence[Cell], zone: ZoneInfo, email: str, phone: str
) -> tuple[CommentLine, ...]:
    lines: list[CommentLine] = []
    talkative = [cell for cell in cells if cell.respondents >= COMMENT_MIN_RESPONDENTS]
    for cell in talkative:
        span = days_span(cell.start, cell.end, zone)
        texts = (
            await session.exec(
                select(Comment.text)
                .where(col(Comment.commitment_id) == cell.commitment_id)
                .where(col(Comment.created_at) >= span.start, col(Comment.created_at) < span.end)
                .order_by(col(Comment.created_at), col(Comment.id))
            )
        ).all()
        lines += [
            CommentLine(
                cell.service,
                cell.commitment,
                cell.month,
                mask_personal_data(t, email=email, phone=phone),
            )
            for t in texts
        ]
    return tuple(lines)


def new_salt() -> bytes:
    """Return a fresh random key for one export's respondent keys (never stored)."""
    return secrets.token_bytes(32)


def rekey(salt: bytes, respondent: str) -> str:
    """Return this export's key for a stored pseudonym."""
    return hmac.new(salt, respondent.encode(), hashlib.sha256).hexdigest()[:20]


async def answer_lines(
    session: AsyncSession, *, plan: ExportPlan, zone: ZoneInfo, salt: bytes
) -> AsyncIterator[AnswerLine]:
    """Yield the answers of the kept cells, month by month, under this export's keys."""
    by_month: dict[tuple[date, date], list[Cell]] = {}
    for cell in plan.cells:
        by_month.setdefault((cell.start, cell.end), []).append(cell)
    for (start, end), cells in by_month.items():
        span = days_span(start, end, zone)
        kept = {cell.commitment_id: cell for cell in cells}
        rows = await session.exec(
            select(Answer, Question)
            .join(Question, col(Question.id) == col(Answer.question_id))
            .where(col(Answer.commitment_id).in_(list(kept)))
            .where(col(Answer.answered_at) >= span.start, col(Answer.answered_at) < span.end)
            .order_by(col(Answer.answered_at), col(Answer.id))
        )
        for answer, question in rows.all():
            cell = kept[answer.commitment_id]
            yield AnswerLine(
                respondent=rekey(salt, answer.respondent),
                service=cell.service,
                commitment=cell.commitment,
                question=question.code,
                kind=question.kind,
                value=answer.value,
                day=answer.answered_at.astimezone(zone).date(),
            )


def _aware(value: object) -> datetime | None:
    # func.min() bypasses the column type: SQLite hands back naive UTC text.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
