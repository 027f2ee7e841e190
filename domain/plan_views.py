"""Plans as people read them: a list, one plan with its actions, history and effect."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.charter_admin import UnknownCode
from domain.plan_effects import PlanEffect, plan_effect
from domain.plans import PlanNotFound, open_plan_id, plan_commitment
from domain.roles import Caller, OwnersOnly
from domain.tallies import CommitmentInfo, load_commitments
from storage.tables import (
    ActionPlan,
    AuditEntry,
    Commitment,
    PlanAction,
    PlanNote,
    PlanStatus,
    Service,
)

# Closed plans stay in `/ecoute plans` this long; `plan show N` reaches them for ever.
LISTED_AFTER_CLOSE = timedelta(days=90)
MAX_HISTORY = 40


@dataclass(frozen=True)
class ActionLine:
    """One action of a plan."""

    position: int
    text: str
    carrier: str
    due_on: date
    status: PlanStatus
    reason: str | None
    reminded: bool


@dataclass(frozen=True)
class NoteSummary:
    """The note sent to contributors: how many it was queued for, reached, skipped, missed."""

    at: datetime
    queued: int
    delivered: int
    skipped: int
    unreachable: int


@dataclass(frozen=True)
class PlanLine:
    """A plan with its commitment's names and its actions."""

    id: int
    commitment_id: int
    code: str
    title: str
    title_en: str | None
    owner: str
    summary: str
    status: PlanStatus
    reason: str | None
    window_days: int
    opened_at: datetime
    closed_at: datetime | None
    actions: tuple[ActionLine, ...]
    note: NoteSummary | None

    @property
    def actions_done(self) -> int:
        """Return how many actions are done."""
        return sum(a.status == PlanStatus.DONE for a in self.actions)

    @property
    def actions_live(self) -> int:
        """Return how many actions were not dropped."""
        return sum(a.status != PlanStatus.DROPPED for a in self.actions)


@dataclass(frozen=True)
class PlanDetails:
    """One plan as `/ecoute plan show` tells it: actions, history and, once done, its effect."""

    plan: PlanLine
    history: tuple[AuditEntry, ...]
    effect: PlanEffect | None
    as_of: datetime
    commitment: CommitmentInfo | None


async def load_plans(session: AsyncSession, *, plans: Sequence[ActionPlan]) -> list[PlanLine]:
    """Return the plans given with their commitment, actions and note."""
    ids = [p.id for p in plans if p.id is not None]
    if not ids:
        return []
    commitments = {
        c.id: c
        for c in (
            await session.exec(
                select(Commitment).where(col(Commitment.id).in_({p.commitment_id for p in plans}))
            )
        ).all()
    }
    actions: dict[int, list[ActionLine]] = defaultdict(list)
    for row in (
        await session.exec(
            select(PlanAction)
            .where(col(PlanAction.plan_id).in_(ids))
            .order_by(col(PlanAction.plan_id), col(PlanAction.position))
        )
    ).all():
        actions[row.plan_id].append(
            ActionLine(
                position=row.position,
                text=row.text,
                carrier=row.carrier,
                due_on=row.due_on,
                status=PlanStatus(row.status),
                reason=row.reason,
                reminded=row.reminded_at is not None,
            )
        )
    delivered = dict(
        (
            await session.exec(
                select(PlanNote.plan_id, func.count())
                .where(col(PlanNote.plan_id).in_(ids))
                .where(col(PlanNote.sent_at).is_not(None))
                .group_by(col(PlanNote.plan_id))
            )
        ).all()
    )
    lines: list[PlanLine] = []
    for plan in plans:
        assert plan.id is not None
        commitment = commitments[plan.commitment_id]
        note = None
        if plan.note_at is not None:
            note = NoteSummary(
                at=plan.note_at,
                queued=plan.note_queued or 0,
                delivered=int(delivered.get(plan.id, 0)),
                skipped=plan.note_skipped or 0,
                unreachable=plan.note_unreachable or 0,
            )
        lines.append(
            PlanLine(
                id=plan.id,
                commitment_id=plan.commitment_id,
                code=commitment.code,
                title=commitment.title,
                title_en=commitment.title_en,
                owner=plan.owner,
                summary=plan.summary,
                status=PlanStatus(plan.status),
                reason=plan.reason,
                window_days=plan.window_days,
                opened_at=plan.opened_at,
                closed_at=plan.closed_at,
                actions=tuple(actions.get(plan.id, [])),
                note=note,
            )
        )
    return lines


async def readable_plan(session: AsyncSession, *, caller: Caller, plan_id: int) -> ActionPlan:
    """Return a plan the caller may read (an owner of its commitment, or an admin)."""
    plan = await session.get(ActionPlan, plan_id)
    if plan is None:
        raise PlanNotFound(locale=caller.locale, id=plan_id)
    if not caller.may_read(plan.commitment_id):
        raise OwnersOnly(locale=caller.locale)
    return plan


async def plan_details(
    session: AsyncSession, *, caller: Caller, plan_id: int, now: datetime
) -> PlanDetails:
    """Return one plan with its history (the audit entries about it) and, once done, its effect."""
    plan = await readable_plan(session, caller=caller, plan_id=plan_id)
    [line] = await load_plans(session, plans=[plan])
    history = (
        await session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.target) == f"plan:{plan_id}")
            .order_by(col(AuditEntry.id))
            .limit(MAX_HISTORY)
        )
    ).all()
    effect = None
    # An archived commitment has no live figures to compare.
    live = await load_commitments(session, ids=[plan.commitment_id])
    if plan.status == PlanStatus.DONE and plan.closed_at is not None and live:
        effect = await plan_effect(
            session,
            commitment=live[0],
            opened_at=plan.opened_at,
            done_at=plan.closed_at,
            window_days=plan.window_days,
            as_of=now,
        )
    return PlanDetails(
        plan=line,
        history=tuple(history),
        effect=effect,
        as_of=now,
        commitment=live[0] if live else None,
    )


async def list_plans(
    session: AsyncSession, *, caller: Caller, code: str | None, now: datetime
) -> list[PlanLine]:
    """Return the open plans and those closed lately, of a commitment, a service or all one owns."""
    caller.require_owner()
    query = (
        select(ActionPlan)
        .join(Commitment, col(Commitment.id) == col(ActionPlan.commitment_id))
        .where(
            or_(
                col(ActionPlan.status) == PlanStatus.OPEN,
                col(ActionPlan.closed_at) >= now - LISTED_AFTER_CLOSE,
            )
        )
    )
    if code:
        wanted = code.strip().upper()
        service = (await session.exec(select(Service.id).where(Service.code == wanted))).first()
        if service is not None:
            query = query.where(col(Commitment.service_id) == service)
        elif (
            await session.exec(select(Commitment.id).where(Commitment.code == wanted))
        ).first() is not None:
            query = query.where(col(Commitment.code) == wanted)
        else:
            known = [
                *(await session.exec(select(Service.code))).all(),
                *(await session.exec(select(Commitment.code))).all(),
            ]
            raise UnknownCode("code", code, known, locale=caller.locale)
    rows = (
        await session.exec(query.order_by(col(ActionPlan.status), col(ActionPlan.id).desc()))
    ).all()
    visible = [plan for plan in rows if caller.may_read(plan.commitment_id)]
    return await load_plans(session, plans=visible)


async def open_plans_of(session: AsyncSession, *, commitment_ids: Sequence[int]) -> dict[int, int]:
    """Return {commitment id: open plan id} for the commitments given."""
    if not commitment_ids:
        return {}
    rows = (
        await session.exec(
            select(ActionPlan.commitment_id, ActionPlan.id)
            .where(col(ActionPlan.commitment_id).in_(list(commitment_ids)))
            .where(col(ActionPlan.status) == PlanStatus.OPEN)
        )
    ).all()
    return {int(commitment_id): int(plan_id or 0) for commitment_id, plan_id in rows}


async def plan_entry(
    session: AsyncSession,
    *,
    caller: Caller,
    now: datetime,
    commitment_id: int | None = None,
    code: str = "",
) -> Commitment | PlanDetails:
    """Return the commitment to open a plan for, or its open plan if it already has one."""
    commitment = await plan_commitment(
        session, caller=caller, commitment_id=commitment_id, code=code
    )
    assert commitment.id is not None
    existing = await open_plan_id(session, commitment_id=commitment.id)
    if existing is not None:
        return await plan_details(session, caller=caller, plan_id=existing, now=now)
    return commitment
