"""Action plans: opened by a commitment's owner, then each action and the plan done or dropped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import record
from domain.charter_admin import Problem, UnknownCode, raise_problems
from domain.errors import Conflict, InvalidInput, NotFound
from domain.roles import USER_ID, Caller, OwnersOnly
from storage.tables import ActionPlan, Commitment, PlanAction, PlanStatus

MAX_ACTIONS = 5
MAX_SUMMARY = 2000
MAX_ACTION_TEXT = 300
MAX_REASON = 500
# Due dates further than this are not a plan any more, they are a wish.
MAX_HORIZON = timedelta(days=366)


class PlanNotFound(NotFound):
    """No plan has this number."""

    key = "plan.refused.not_found"


class PlanAlreadyOpen(Conflict):
    """The commitment already has an open plan: update it rather than open another."""

    key = "plan.refused.already_open"


class PlanClosed(Conflict):
    """The plan (or the action) is already done or dropped."""

    key = "plan.refused.closed"


class ActionsStillOpen(Conflict):
    """A plan is done only once each of its actions is done or dropped."""

    key = "plan.refused.actions_open"


class ReasonNeeded(InvalidInput):
    """Dropping a plan or an action says why."""

    key = "plan.refused.reason"


class BadReference(InvalidInput):
    """A plan is named by its number (`12`), an action by plan and position (`12.2`)."""

    key = "plan.refused.bad_ref"


@dataclass(frozen=True)
class ActionDraft:
    """One action as the form holds it: text, carrier and due date (YYYY-MM-DD), unchecked."""

    text: str | None = None
    carrier: str | None = None
    due: str | None = None


@dataclass(frozen=True)
class PlanForm:
    """What the plan form holds: what will change, and up to five actions."""

    summary: str | None
    actions: tuple[ActionDraft, ...]


@dataclass(frozen=True)
class PlanChange:
    """One status change, as the answer to the person who made it shows it."""

    plan_id: int
    position: int | None
    status: PlanStatus
    code: str


def parse_reference(text: str, *, locale: str | None = None) -> tuple[int, int | None]:
    """Return (plan id, action position or None) from `12`, `#12` or `12.2`."""
    cleaned = text.strip().lstrip("#")
    plan, _, action = cleaned.partition(".")
    if not plan.isdigit() or (action and not action.isdigit()):
        raise BadReference(text, locale=locale, value=text)
    return int(plan), int(action) if action else None


def check_plan_form(
    form: PlanForm, *, today: date, locale: str | None
) -> tuple[str, list[tuple[str, str, date]]]:
    """Return the summary and the (text, carrier, due date) actions, or raise FieldErrors."""
    problems: dict[str, Problem] = {}
    summary = (form.summary or "").strip()
    if not summary:
        problems["summary"] = ("plan.field.required", {})
    elif len(summary) > MAX_SUMMARY:
        problems["summary"] = ("plan.field.too_long", {"limit": MAX_SUMMARY})
    actions: list[tuple[str, str, date]] = []
    for index, draft in enumerate(form.actions[:MAX_ACTIONS], start=1):
        text, carrier, due = (
            (value or "").strip() for value in (draft.text, draft.carrier, draft.due)
        )
        if not (text or carrier or due):
            continue
        name = f"action{index}"
        if not text:
            problems[f"{name}_text"] = ("plan.field.required", {})
        elif len(text) > MAX_ACTION_TEXT:
            problems[f"{name}_text"] = ("plan.field.too_long", {"limit": MAX_ACTION_TEXT})
        if not carrier:
            problems[f"{name}_carrier"] = ("plan.field.required", {})
        elif not USER_ID.fullmatch(carrier):
            problems[f"{name}_carrier"] = ("plan.field.bad_user", {})
        day = _due_date(due, today, f"{name}_due", problems)
        if day is not None and text and carrier:
            actions.append((text, carrier, day))
    if not problems and not actions:
        problems["action1_text"] = ("plan.field.no_action", {})
    raise_problems(problems, locale)
    return summary, actions


def _due_date(text: str, today: date, name: str, problems: dict[str, Problem]) -> date | None:
    if not text:
        problems[name] = ("plan.field.required", {})
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems[name] = ("plan.field.bad_date", {})
        return None
    if day < today:
        problems[name] = ("plan.field.past_date", {})
    elif day > today + MAX_HORIZON:
        problems[name] = ("plan.field.far_date", {})
    return day


async def plan_commitment(
    session: AsyncSession, *, caller: Caller, commitment_id: int | None = None, code: str = ""
) -> Commitment:
    """Return the live commitment a plan is about, if the caller owns it (or is an admin)."""
    query = select(Commitment).where(col(Commitment.archived_at).is_(None))
    if commitment_id is not None:
        query = query.where(col(Commitment.id) == commitment_id)
    else:
        query = query.where(col(Commitment.code) == code.strip().upper())
    commitment = (await session.exec(query)).first()
    if commitment is None or commitment.id is None:
        if commitment_id is not None:
            raise PlanNotFound(locale=caller.locale, id=commitment_id)
        known = (await session.exec(select(Commitment.code))).all()
        raise UnknownCode("commitment", code, list(known), locale=caller.locale)
    if not caller.may_read(commitment.id):
        raise OwnersOnly(locale=caller.locale)
    return commitment


async def open_plan_id(session: AsyncSession, *, commitment_id: int) -> int | None:
    """Return the id of the commitment's open plan, if it has one."""
    return (
        await session.exec(
            select(ActionPlan.id)
            .where(col(ActionPlan.commitment_id) == commitment_id)
            .where(col(ActionPlan.status) == PlanStatus.OPEN)
        )
    ).first()


async def open_plan(
    session: AsyncSession,
    *,
    caller: Caller,
    commitment_id: int,
    form: PlanForm,
    now: datetime,
    zone: ZoneInfo,
) -> PlanChange:
    """Open the commitment's plan with its actions; return its number and commitment."""
    commitment = await plan_commitment(session, caller=caller, commitment_id=commitment_id)
    assert commitment.id is not None
    today = now.astimezone(zone).date()
    summary, actions = check_plan_form(form, today=today, locale=caller.locale)
    existing = await open_plan_id(session, commitment_id=commitment.id)
    if existing is not None:
        raise PlanAlreadyOpen(locale=caller.locale, id=existing, code=commitment.code)
    plan = ActionPlan(
        commitment_id=commitment.id,
        owner=caller.user_id,
        summary=summary,
        window_days=commitment.window_days,
        opened_at=now,
    )
    session.add(plan)
    try:
        await session.flush()
    except IntegrityError:  # another owner's plan won the unique index a moment ago
        raise PlanAlreadyOpen(locale=caller.locale, id="?", code=commitment.code) from None
    assert plan.id is not None
    for position, (text, carrier, due_on) in enumerate(actions, start=1):
        session.add(
            PlanAction(
                plan_id=plan.id, position=position, text=text, carrier=carrier, due_on=due_on
            )
        )
    await record(
        session,
        actor=caller.user_id,
        action="plan.open",
        target=f"plan:{plan.id}",
        before=None,
        after={
            "commitment": commitment.code,
            "summary": summary,
            "actions": [
                f"{text} · {carrier} · {due.isoformat()}" for text, carrier, due in actions
            ],
        },
        now=now,
    )
    return PlanChange(plan_id=plan.id, position=None, status=PlanStatus.OPEN, code=commitment.code)


async def update_plan(
    session: AsyncSession,
    *,
    caller: Caller,
    plan_id: int,
    position: int | None,
    done: bool,
    reason: str | None,
    now: datetime,
) -> PlanChange:
    """Mark a plan (position None) or one of its actions done, or drop it with a reason."""
    plan = await session.get(ActionPlan, plan_id)
    if plan is None:
        raise PlanNotFound(locale=caller.locale, id=plan_id)
    commitment = await session.get_one(Commitment, plan.commitment_id)
    why = (reason or "").strip()[:MAX_REASON]
    if not done and not why:
        raise ReasonNeeded(locale=caller.locale)
    status = PlanStatus.DONE if done else PlanStatus.DROPPED
    if position is None:
        if not caller.may_read(plan.commitment_id):
            raise OwnersOnly(locale=caller.locale)
        await _close_plan(session, caller=caller, plan=plan, status=status, reason=why, now=now)
    else:
        await _close_action(
            session, caller=caller, plan=plan, position=position, status=status, reason=why, now=now
        )
    return PlanChange(plan_id=plan_id, position=position, status=status, code=commitment.code)


async def _close_plan(
    session: AsyncSession,
    *,
    caller: Caller,
    plan: ActionPlan,
    status: PlanStatus,
    reason: str,
    now: datetime,
) -> None:
    open_actions = (
        await session.exec(
            select(func.count())
            .select_from(PlanAction)
            .where(col(PlanAction.plan_id) == plan.id)
            .where(col(PlanAction.status) == PlanStatus.OPEN)
        )
    ).one()
    if status == PlanStatus.DONE and open_actions:
        raise ActionsStillOpen(locale=caller.locale, id=plan.id, count=int(open_actions))
    # The conditional update is the claim: a double click closes the plan once.
    closed = await session.exec(
        update(ActionPlan)
        .where(col(ActionPlan.id) == plan.id)
        .where(col(ActionPlan.status) == PlanStatus.OPEN)
        .values(status=status, closed_at=now, reason=reason or None)
    )
    if closed.rowcount != 1:
        raise PlanClosed(locale=caller.locale, id=plan.id)
    if status == PlanStatus.DROPPED:
        # Nobody should be reminded of an action the plan gave up.
        await session.exec(
            update(PlanAction)
            .where(col(PlanAction.plan_id) == plan.id)
            .where(col(PlanAction.status) == PlanStatus.OPEN)
            .values(status=PlanStatus.DROPPED, closed_at=now, reason=reason)
        )
    await record(
        session,
        actor=caller.user_id,
        action=f"plan.{status}",
        target=f"plan:{plan.id}",
        before={"status": PlanStatus.OPEN.value},
        after={"status": status.value, **({"reason": reason} if reason else {})},
        now=now,
    )


async def _close_action(
    session: AsyncSession,
    *,
    caller: Caller,
    plan: ActionPlan,
    position: int,
    status: PlanStatus,
    reason: str,
    now: datetime,
) -> None:
    action = (
        await session.exec(
            select(PlanAction)
            .where(col(PlanAction.plan_id) == plan.id)
            .where(col(PlanAction.position) == position)
        )
    ).first()
    if action is None:
        raise PlanNotFound(locale=caller.locale, id=f"{plan.id}.{position}")
    # The carrier may report their own action; the plan stays the owners' (and admins').
    if not (caller.may_read(plan.commitment_id) or caller.user_id == action.carrier):
        raise OwnersOnly(locale=caller.locale)
    if plan.status != PlanStatus.OPEN:
        raise PlanClosed(locale=caller.locale, id=plan.id)
    closed = await session.exec(
        update(PlanAction)
        .where(col(PlanAction.id) == action.id)
        .where(col(PlanAction.status) == PlanStatus.OPEN)
        .values(status=status, closed_at=now, reason=reason or None)
    )
    if closed.rowcount != 1:
        raise PlanClosed(locale=caller.locale, id=f"{plan.id}.{position}")
    await record(
        session,
        actor=caller.user_id,
        action=f"plan.action_{status}",
        target=f"plan:{plan.id}",
        before={"action": position, "status": PlanStatus.OPEN.value},
        after={
            "action": position,
            "status": status.value,
            **({"reason": reason} if reason else {}),
        },
        now=now,
    )
