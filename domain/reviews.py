"""A commitment review's figures: per commitment over a period, its trend, comments and plans.

Scores come from the same tallies and `figure()` as the digests, over the period's days
instead of a rolling window, so they keep the commitment's minimum respondents; comments
appear only where ten people answered, masked. Response rates and the share of "not yet
settled" answers count pulses, and that share is shown only from five people reached.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.charter_admin import UnknownCode
from domain.digests import COMMENT_MIN_RESPONDENTS
from domain.group_sizes import SCORE_MIN_GROUP
from domain.masking import mask_personal_data
from domain.plan_effects import PlanEffect, plan_effect
from domain.plan_views import PlanLine, load_plans
from domain.review_periods import Period, days_span
from domain.roles import Caller, OwnersOnly
from domain.scoring import Figure, Trend, figure, trend_of
from domain.tallies import DELIVERED, CommitmentInfo, Span, load_commitments, select_columns
from domain.tallies import tally_span as tally
from storage.tables import ActionPlan, Comment, PlanStatus, Pulse, PulseStatus, Service

COMMENTS_SHOWN = 20
# The same floor as the scores: a share of fewer people could point at someone.
MIN_GROUP = SCORE_MIN_GROUP


@dataclass(frozen=True)
class PeriodCounts:
    """Pulses of one commitment sent in the period: delivered, answered, "not yet settled"."""

    sent: int = 0
    answered: int = 0
    unsettled: int = 0

    @property
    def response_rate(self) -> float | None:
        """Return answered / delivered, as a percent (None when nothing was delivered)."""
        return 100.0 * self.answered / self.sent if self.sent else None

    @property
    def reached(self) -> int:
        """Return the people reached: delivered pulses plus those answered "not yet settled"."""
        return self.sent + self.unsettled

    @property
    def unsettled_share(self) -> float | None:
        """Return the share of "not yet settled" answers, from five people reached."""
        return 100.0 * self.unsettled / self.reached if self.reached >= MIN_GROUP else None


@dataclass(frozen=True)
class ReviewPlan:
    """A plan that was open during the period, and its effect once done."""

    plan: PlanLine
    effect: PlanEffect | None


@dataclass(frozen=True)
class ReviewLine:
    """One commitment over the period."""

    commitment: CommitmentInfo
    service: str | None
    figure: Figure
    previous: Figure
    trend: Trend
    counts: PeriodCounts
    series: tuple[Figure, ...]
    comments: tuple[str, ...]
    plans: tuple[ReviewPlan, ...]


@dataclass(frozen=True)
class ReviewPack:
    """Every figure of one review: the period, the service (None: all) and each commitment."""

    period: Period
    service: str | None
    as_of: datetime
    buckets: tuple[tuple[date, date], ...]
    lines: tuple[ReviewLine, ...]


async def review_pack(
    session: AsyncSession,
    *,
    period: Period,
    service: str | None,
    caller: Caller | None,
    now: datetime,
    zone: ZoneInfo,
    email_mask: str = "[e-mail]",
    phone_mask: str = "[téléphone]",
) -> ReviewPack:
    """Compute the review of `period`, of one service or all; `caller` None is the CLI."""
    if caller is not None:
        caller.require_owner()
    services = {
        row.id: row.code
        for row in (
            await session.exec(select(Service).where(col(Service.archived_at).is_(None)))
        ).all()
    }
    commitments = await load_commitments(session)
    wanted = service.strip().upper() if service else None
    if wanted is not None:
        if wanted not in services.values():
            locale = caller.locale if caller else None
            raise UnknownCode("service", service or "", list(services.values()), locale=locale)
        commitments = [c for c in commitments if services.get(c.service_id or 0) == wanted]
    if caller is not None:
        visible = [c for c in commitments if caller.may_read(c.id)]
        if commitments and not visible:
            raise OwnersOnly(locale=caller.locale)
        commitments = visible
    span = period.span(zone)
    current = await tally(session, commitments=commitments, span=span)
    before = await tally(session, commitments=commitments, span=period.previous().span(zone))
    buckets = period.buckets()
    series: dict[int, list[Figure]] = defaultdict(list)
    for start, end in buckets:
        tallies = await tally(session, commitments=commitments, span=days_span(start, end, zone))
        for c in commitments:
            series[c.id].append(figure(c, tallies.get(c.id)))
    counts = await period_counts(session, commitment_ids=[c.id for c in commitments], span=span)
    figures = {c.id: figure(c, current.get(c.id)) for c in commitments}
    talkative = [c.id for c in commitments if figures[c.id].respondents >= COMMENT_MIN_RESPONDENTS]
    comments = await period_comments(session, commitment_ids=talkative, span=span)
    plans = await period_plans(session, commitments=commitments, span=span, now=now)
    lines = []
    for c in commitments:
        previous = figure(c, before.get(c.id))
        lines.append(
            ReviewLine(
                commitment=c,
                service=services.get(c.service_id) if c.service_id else None,
                figure=figures[c.id],
                previous=previous,
                trend=trend_of(c, figures[c.id], previous),
                counts=counts.get(c.id, PeriodCounts()),
                series=tuple(series[c.id]),
                comments=tuple(
                    mask_personal_data(text, email=email_mask, phone=phone_mask)
                    for text in comments.get(c.id, [])
                ),
                plans=tuple(plans.get(c.id, [])),
            )
        )
    return ReviewPack(period, wanted, now, tuple(buckets), tuple(lines))


async def period_counts(
    session: AsyncSession, *, commitment_ids: Sequence[int], span: Span
) -> dict[int, PeriodCounts]:
    """Count each commitment's pulses sent in `span`: delivered, answered, not yet settled."""
    if not commitment_ids:
        return {}
    query = (
        select_columns(
            col(Pulse.commitment_id),
            func.sum(case((col(Pulse.status).in_(list(DELIVERED)), 1), else_=0)),
            func.sum(case((col(Pulse.status) == PulseStatus.ANSWERED, 1), else_=0)),
            func.sum(case((col(Pulse.status) == PulseStatus.UNSETTLED, 1), else_=0)),
        )
        .where(col(Pulse.commitment_id).in_(list(commitment_ids)))
        .where(col(Pulse.sent_at) >= span.start, col(Pulse.sent_at) < span.end)
        .group_by(col(Pulse.commitment_id))
    )
    return {
        int(commitment_id): PeriodCounts(int(sent or 0), int(answered or 0), int(unsettled or 0))
        for commitment_id, sent, answered, unsettled in (await session.exec(query)).all()
    }


async def period_comments(
    session: AsyncSession, *, commitment_ids: Sequence[int], span: Span, limit: int = COMMENTS_SHOWN
) -> dict[int, list[str]]:
    """Return up to `limit` comments per commitment left in `span`, newest first."""
    if not commitment_ids:
        return {}
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
        .where(col(Comment.commitment_id).in_(list(commitment_ids)))
        .where(col(Comment.created_at) >= span.start, col(Comment.created_at) < span.end)
        .subquery()
    )
    query = (
        select_columns(ranked.c.commitment_id, ranked.c.text)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.commitment_id, ranked.c.rank)
    )
    result: dict[int, list[str]] = defaultdict(list)
    for commitment_id, text in (await session.exec(query)).all():
        result[int(commitment_id)].append(str(text))
    return dict(result)


async def period_plans(
    session: AsyncSession, *, commitments: Sequence[CommitmentInfo], span: Span, now: datetime
) -> dict[int, list[ReviewPlan]]:
    """Return the plans open at some point of `span`, per commitment, with done ones' effect."""
    by_id = {c.id: c for c in commitments}
    if not by_id:
        return {}
    rows = (
        await session.exec(
            select(ActionPlan)
            .where(col(ActionPlan.commitment_id).in_(list(by_id)))
            .where(col(ActionPlan.opened_at) < span.end)
            .where(
                or_(col(ActionPlan.closed_at).is_(None), col(ActionPlan.closed_at) >= span.start)
            )
            .order_by(col(ActionPlan.opened_at))
        )
    ).all()
    result: dict[int, list[ReviewPlan]] = defaultdict(list)
    for line in await load_plans(session, plans=rows):
        effect = None
        if line.status == PlanStatus.DONE and line.closed_at is not None:
            effect = await plan_effect(
                session,
                commitment=by_id[line.commitment_id],
                opened_at=line.opened_at,
                done_at=line.closed_at,
                window_days=line.window_days,
                as_of=now,
            )
        result[line.commitment_id].append(ReviewPlan(line, effect))
    return dict(result)
