"""The SQL side of the scores: answers counted per commitment and value bucket, never loaded."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from storage.tables import Answer, Comment, Commitment, Pulse, PulseStatus, Question

# Answers are integers on a scale no wider than 0-10 (nps_10): one bucket per value.
BUCKETS = 11
# The kinds of question whose answers each metric reads (the charter keeps a mean on one scale).
METRIC_KINDS: dict[str, tuple[str, ...]] = {
    "csat": ("rating_5",),
    "nps": ("nps_10",),
    "yes_rate": ("yes_no",),
    "effort": ("effort_7",),
    "mean": ("rating_5", "nps_10", "effort_7"),
}
# Pulses that reached their recipient, whatever became of them afterwards.
DELIVERED = (PulseStatus.SENT, PulseStatus.ANSWERED, PulseStatus.EXPIRED)


@dataclass(frozen=True)
class CommitmentInfo:
    """What scoring needs to know of a commitment, read once per run."""

    id: int
    code: str
    title: str
    title_en: str | None
    service_id: int | None
    metric: str
    threshold: float
    min_responses: int
    window_days: int
    owners: tuple[str, ...]
    kind: str | None
    question_ids: tuple[int, ...]


@dataclass(frozen=True)
class Tally:
    """Answers of one commitment over one span: how many, from how many people, per value."""

    answers: int = 0
    respondents: int = 0
    counts: tuple[int, ...] = (0,) * BUCKETS


@dataclass(frozen=True)
class Delivery:
    """Pulses of one commitment sent over one span, and how many were answered."""

    sent: int = 0
    answered: int = 0


@dataclass(frozen=True)
class Span:
    """A half-open time range [start, end)."""

    start: datetime
    end: datetime


async def load_commitments(
    session: AsyncSession, *, ids: Sequence[int] | None = None
) -> list[CommitmentInfo]:
    """Return the live commitments (or those in `ids`) with the questions their metric reads."""
    query = select(Commitment).where(col(Commitment.archived_at).is_(None))
    if ids is not None:
        query = query.where(col(Commitment.id).in_(list(ids)))
    commitments = (await session.exec(query.order_by(col(Commitment.code)))).all()
    questions = (
        await session.exec(
            select(col(Question.commitment_id), col(Question.id), col(Question.kind)).order_by(
                col(Question.position), col(Question.id)
            )
        )
    ).all()
    by_commitment: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for commitment_id, question_id, kind in questions:
        by_commitment[int(commitment_id)].append((int(question_id or 0), str(kind)))
    result: list[CommitmentInfo] = []
    for row in commitments:
        assert row.id is not None
        eligible = [(q, k) for q, k in by_commitment[row.id] if k in METRIC_KINDS[row.metric]]
        result.append(
            CommitmentInfo(
                id=row.id,
                code=row.code,
                title=row.title,
                title_en=row.title_en,
                service_id=row.service_id,
                metric=row.metric,
                threshold=row.threshold,
                min_responses=row.min_responses,
                window_days=row.window_days,
                owners=tuple(row.owners),
                kind=eligible[0][1] if eligible else None,
                # Inactive questions still count: their answers were given under the charter.
                question_ids=tuple(q for q, k in eligible if k == eligible[0][1]),
            )
        )
    return result


def select_columns(*columns: Any) -> Select[*tuple[Any, ...]]:
    """Return a SELECT of any number of columns (sqlmodel's `select` is typed up to four)."""
    return Select(*columns)


async def custom_plans(session: AsyncSession) -> None:
    """Make PostgreSQL plan each statement for its own parameters, in this transaction."""
    # asyncpg prepares statements; after five runs PostgreSQL may switch to a generic plan
    # that ignores the actual time range and IN lists, and the scores get ten times slower.
    if session.get_bind().dialect.name == "postgresql":
        connection = await session.connection()
        await connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")


def window(as_of: datetime, days: int, *, back: int = 0) -> Span:
    """Return the rolling window of `days` ending at `as_of`, `back` windows earlier."""
    end = as_of - timedelta(days=days * back)
    return Span(end - timedelta(days=days), end)


def _bucket_columns() -> list[Any]:
    return [
        func.sum(case((col(Answer.value) == value, 1), else_=0)).label(f"v{value}")
        for value in range(BUCKETS)
    ]


def _by_window(commitments: Iterable[CommitmentInfo]) -> dict[int, list[CommitmentInfo]]:
    groups: dict[int, list[CommitmentInfo]] = defaultdict(list)
    for commitment in commitments:
        if commitment.question_ids:
            groups[commitment.window_days].append(commitment)
    return groups


async def tally_windows(
    session: AsyncSession, *, commitments: Sequence[CommitmentInfo], as_of: datetime, back: int = 0
) -> dict[int, Tally]:
    """Count each commitment's answers over its own window ending at `as_of` (`back` earlier)."""
    tallies: dict[int, Tally] = {}
    # One GROUP BY per distinct window length: a handful of queries whatever the charter's size.
    for days, group in _by_window(commitments).items():
        span = window(as_of, days, back=back)
        tallies.update(await tally_span(session, commitments=group, span=span))
    return tallies


async def tally_span(
    session: AsyncSession, *, commitments: Sequence[CommitmentInfo], span: Span
) -> dict[int, Tally]:
    """Count the metric answers of `commitments` in `span`, one row per commitment."""
    await custom_plans(session)
    ids = [c.id for c in commitments if c.question_ids]
    questions = [q for c in commitments for q in c.question_ids]
    if not ids:
        return {}
    query = (
        select_columns(
            col(Answer.commitment_id),
            func.count().label("answers"),
            func.count(func.distinct(col(Answer.respondent))).label("respondents"),
            *_bucket_columns(),
        )
        .where(col(Answer.commitment_id).in_(ids))
        .where(col(Answer.answered_at) >= span.start, col(Answer.answered_at) < span.end)
        .where(col(Answer.question_id).in_(questions))
        .group_by(col(Answer.commitment_id))
    )
    rows = (await session.exec(query)).all()
    return {
        int(row[0]): Tally(
            answers=int(row[1]),
            respondents=int(row[2]),
            counts=tuple(int(v or 0) for v in row[3:]),
        )
        for row in rows
    }


async def tally_weeks(
    session: AsyncSession, *, commitments: Sequence[CommitmentInfo], as_of: datetime, weeks: int
) -> dict[int, list[Tally]]:
    """Count each commitment's metric answers per week, over the `weeks` weeks ending at `as_of`."""
    series: dict[int, list[Tally]] = {
        c.id: [Tally()] * weeks for c in commitments if c.question_ids
    }
    # One query per week streams in index order; one GROUP BY (commitment, week) would sort.
    for index in range(weeks):
        end = as_of - timedelta(weeks=weeks - 1 - index)
        span = Span(end - timedelta(weeks=1), end)
        for commitment_id, tally in (
            await tally_span(session, commitments=commitments, span=span)
        ).items():
            series[commitment_id][index] = tally
    return series


async def deliveries(
    session: AsyncSession, *, commitments: Sequence[CommitmentInfo], as_of: datetime, back: int = 0
) -> dict[int, Delivery]:
    """Count each commitment's pulses sent in its window, and those answered."""
    await custom_plans(session)
    result: dict[int, Delivery] = {}
    for days, group in _by_window(commitments).items():
        span = window(as_of, days, back=back)
        # The status is tested in the aggregates, not the WHERE: without statistics SQLite would
        # otherwise pick the (status, due_at) index and read every delivered pulse ever.
        query = (
            select_columns(
                col(Pulse.commitment_id),
                func.sum(case((col(Pulse.status).in_(list(DELIVERED)), 1), else_=0)),
                func.sum(case((col(Pulse.status) == PulseStatus.ANSWERED, 1), else_=0)),
            )
            .where(col(Pulse.commitment_id).in_([c.id for c in group]))
            .where(and_(col(Pulse.sent_at) >= span.start, col(Pulse.sent_at) < span.end))
            .group_by(col(Pulse.commitment_id))
        )
        for commitment_id, sent, answered in (await session.exec(query)).all():
            if sent:
                result[int(commitment_id or 0)] = Delivery(int(sent), int(answered or 0))
    return result


async def recent_comments(
    session: AsyncSession,
    *,
    commitments: Sequence[CommitmentInfo],
    as_of: datetime,
    limit: int = 3,
) -> dict[int, list[str]]:
    """Return up to `limit` comments per commitment left in its window, newest first."""
    await custom_plans(session)
    result: dict[int, list[str]] = defaultdict(list)
    groups: dict[int, list[int]] = defaultdict(list)
    for commitment in commitments:
        groups[commitment.window_days].append(commitment.id)
    for days, ids in groups.items():
        span = window(as_of, days)
        rank = (
            func.row_number()
            .over(
                partition_by=col(Comment.commitment_id),
                order_by=(col(Comment.created_at).desc(), col(Comment.id).desc()),
            )
            .label("rank")
        )
        ranked = (
            select_columns(col(Comment.commitment_id), col(Comment.text), rank)
            .where(col(Comment.commitment_id).in_(ids))
            .where(col(Comment.created_at) >= span.start, col(Comment.created_at) < span.end)
            .subquery()
        )
        query = (
            select_columns(ranked.c.commitment_id, ranked.c.text)
            .where(ranked.c.rank <= limit)
            .order_by(ranked.c.commitment_id, ranked.c.rank)
        )
        for commitment_id, text in (await session.exec(query)).all():
            result[int(commitment_id)].append(str(text))
    return dict(result)
