"""Did the plan work? The score before it opened against the score since it was done.

Both windows have the plan's window length (the commitment's when the plan opened):
- before: the window that ended when the plan opened;
- after: the window that starts when the plan was done (up to now while it fills); if fewer
  than the commitment's minimum answered there yet, the window that starts when the plan
  opened (actions often take effect before the last one is ticked), also up to now.
Each figure keeps the commitment's minimum respondents: too few, and no score is shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.scoring import Figure, figure
from domain.tallies import CommitmentInfo, Span, tally_span
from storage.tables import ActionPlan, PlanAction, PlanStatus

# A done plan stays in the digest while its after-window fills, then this long again.
SHOWN_AFTER_WINDOW = timedelta(days=14)
AFTER_DONE = "done"
AFTER_OPENED = "opened"


@dataclass(frozen=True)
class PlanEffect:
    """The commitment's figure before the plan and after it, and which after-window was used."""

    before: Figure
    after: Figure
    basis: str
    before_span: Span
    after_span: Span


@dataclass(frozen=True)
class PlanDigest:
    """What a digest says of a commitment's plan: open and how far along, or done and its effect."""

    plan_id: int
    status: PlanStatus
    opened_at: datetime
    closed_at: datetime | None
    actions_done: int
    actions_total: int
    effect: PlanEffect | None


async def _figure(session: AsyncSession, commitment: CommitmentInfo, span: Span) -> Figure:
    if span.end <= span.start:
        return figure(commitment, None)
    tallies = await tally_span(session, commitments=[commitment], span=span)
    return figure(commitment, tallies.get(commitment.id))


async def plan_effect(
    session: AsyncSession,
    *,
    commitment: CommitmentInfo,
    opened_at: datetime,
    done_at: datetime,
    window_days: int,
    as_of: datetime,
) -> PlanEffect:
    """Return the figures before the plan opened and after it was done (see the module doc)."""
    length = timedelta(days=window_days)
    before_span = Span(opened_at - length, opened_at)
    before = await _figure(session, commitment, before_span)
    after_span = Span(done_at, min(done_at + length, as_of))
    after = await _figure(session, commitment, after_span)
    basis = AFTER_DONE
    if after.interval is None and done_at > opened_at:
        since_opened = Span(opened_at, min(opened_at + length, as_of))
        candidate = await _figure(session, commitment, since_opened)
        if candidate.interval is not None:
            after, after_span, basis = candidate, since_opened, AFTER_OPENED
    return PlanEffect(before, after, basis, before_span, after_span)


async def action_counts(
    session: AsyncSession, *, plan_ids: Sequence[int]
) -> dict[int, tuple[int, int]]:
    """Return (done, total) actions per plan; dropped actions count in neither."""
    if not plan_ids:
        return {}
    rows = (
        await session.exec(
            select(PlanAction.plan_id, PlanAction.status, func.count())
            .where(col(PlanAction.plan_id).in_(list(plan_ids)))
            .group_by(col(PlanAction.plan_id), col(PlanAction.status))
        )
    ).all()
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for plan_id, status, count in rows:
        if status == PlanStatus.DONE:
            counts[plan_id][0] += int(count)
        if status != PlanStatus.DROPPED:
            counts[plan_id][1] += int(count)
    return {plan_id: (done, total) for plan_id, (done, total) in counts.items()}


async def digest_plans(
    session: AsyncSession, *, commitments: Sequence[CommitmentInfo], as_of: datetime
) -> dict[int, PlanDigest]:
    """Return per commitment its open plan, else its latest done plan still worth showing."""
    by_id = {c.id: c for c in commitments}
    if not by_id:
        return {}
    rows = (
        await session.exec(
            select(ActionPlan)
            .where(col(ActionPlan.commitment_id).in_(list(by_id)))
            .where(col(ActionPlan.opened_at) <= as_of)
            .where(col(ActionPlan.status).in_([PlanStatus.OPEN, PlanStatus.DONE]))
            .order_by(col(ActionPlan.opened_at))
        )
    ).all()
    chosen: dict[int, ActionPlan] = {}
    for plan in rows:
        if plan.status == PlanStatus.OPEN:
            chosen[plan.commitment_id] = plan
            continue
        shown_until = (
            plan.closed_at + timedelta(days=plan.window_days) + SHOWN_AFTER_WINDOW
            if plan.closed_at
            else None
        )
        current = chosen.get(plan.commitment_id)
        if (
            plan.closed_at is not None
            and plan.closed_at <= as_of
            and shown_until is not None
            and as_of < shown_until
            and (current is None or current.status != PlanStatus.OPEN)
        ):
            chosen[plan.commitment_id] = plan
    counts = await action_counts(session, plan_ids=[p.id for p in chosen.values() if p.id])
    result: dict[int, PlanDigest] = {}
    for commitment_id, plan in chosen.items():
        assert plan.id is not None
        effect = None
        if plan.status == PlanStatus.DONE and plan.closed_at is not None:
            effect = await plan_effect(
                session,
                commitment=by_id[commitment_id],
                opened_at=plan.opened_at,
                done_at=plan.closed_at,
                window_days=plan.window_days,
                as_of=as_of,
            )
        done, total = counts.get(plan.id, (0, 0))
        result[commitment_id] = PlanDigest(
            plan_id=plan.id,
            status=PlanStatus(plan.status),
            opened_at=plan.opened_at,
            closed_at=plan.closed_at,
            actions_done=done,
            actions_total=total,
            effect=effect,
        )
    return result
