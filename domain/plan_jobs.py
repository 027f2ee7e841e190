"""The plans' clockwork: carriers reminded on the due date, long breaches without a plan escalated.

Both are claimed before anything is sent (a conditional UPDATE), like the pulses' reminders:
with several instances one of them claims, and a send lost after the claim is not repeated.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.digests import owners_of, service_owners
from domain.etiquette import next_good_moment, person_zone
from domain.roles import ADMIN, language
from domain.scoring import ScoreCard, Status
from domain.tallies import load_commitments
from storage.tables import (
    ActionPlan,
    BreachWatch,
    Commitment,
    Person,
    PlanAction,
    PlanStatus,
    Role,
    Service,
)
from storage.upsert import insert_for

# Common commitments belong to no service: their carriers keep office hours.
DEFAULT_HOURS = "mon-fri 09:00-18:00"
DEFAULT_HOLIDAYS = "FR"
# Zones run from UTC-12 to UTC+14: a due date may already have begun somewhere.
_AHEAD = timedelta(days=1)


@dataclass(frozen=True)
class DueAction:
    """An action whose carrier this instance must now remind."""

    plan_id: int
    position: int
    text: str
    carrier: str
    due_on: date
    locale: str
    code: str
    title: str
    title_en: str | None
    owner: str


@dataclass(frozen=True)
class Escalation:
    """A commitment breached for too long without an open plan, claimed for escalation."""

    commitment_id: int
    code: str
    title: str
    title_en: str | None
    breached_since: datetime
    owners: tuple[str, ...]


async def claim_due_actions(
    session: AsyncSession, *, now: datetime, zone: ZoneInfo, default_locale: str, limit: int
) -> list[DueAction]:
    """Claim the reminders due now: once per action, from its due date, in working hours."""
    rows = (
        await session.exec(
            select(PlanAction, ActionPlan, Commitment)
            .join(ActionPlan, col(ActionPlan.id) == col(PlanAction.plan_id))
            .join(Commitment, col(Commitment.id) == col(ActionPlan.commitment_id))
            .where(col(PlanAction.status) == PlanStatus.OPEN)
            .where(col(PlanAction.due_on) <= (now + _AHEAD).date())
            .where(col(PlanAction.reminded_at).is_(None))
            .where(col(ActionPlan.status) == PlanStatus.OPEN)
            .order_by(col(PlanAction.due_on), col(PlanAction.id))
            .limit(limit)
        )
    ).all()
    services = await _services(session, {c.service_id for _, _, c in rows})
    people = await _people(session, {a.carrier for a, _, _ in rows})
    due: list[DueAction] = []
    for action, plan, commitment in rows:
        person = people.get(action.carrier)
        tz = person_zone(person.tz if person else None, zone)
        if action.due_on > now.astimezone(tz).date():
            continue
        service = services.get(commitment.service_id)
        moment = next_good_moment(
            now,
            working_hours=service.working_hours if service else DEFAULT_HOURS,
            holidays=service.holidays if service else DEFAULT_HOLIDAYS,
            zone=tz,
        )
        if moment > now:
            continue
        claimed = await session.exec(
            update(PlanAction)
            .where(col(PlanAction.id) == action.id)
            .where(col(PlanAction.reminded_at).is_(None))
            .values(reminded_at=now)
        )
        if not claimed.rowcount:
            continue
        due.append(
            DueAction(
                plan_id=plan.id or 0,
                position=action.position,
                text=action.text,
                carrier=action.carrier,
                due_on=action.due_on,
                locale=language(person.locale if person else None, default_locale),
                code=commitment.code,
                title=commitment.title,
                title_en=commitment.title_en,
                owner=plan.owner,
            )
        )
    return due


async def _services(
    session: AsyncSession, ids: Collection[int | None]
) -> dict[int | None, Service]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = await session.exec(select(Service).where(col(Service.id).in_(wanted)))
    return {service.id: service for service in rows.all()}


async def _people(session: AsyncSession, ids: Collection[str]) -> dict[str, Person]:
    if not ids:
        return {}
    rows = await session.exec(select(Person).where(col(Person.user_id).in_(list(ids))))
    return {person.user_id: person for person in rows.all()}


async def watch_breaches(
    session: AsyncSession, *, cards: Sequence[ScoreCard], now: datetime
) -> None:
    """Record since when each commitment is breached; a recovery ends the episode.

    A commitment without enough answers keeps its episode: silence is not a recovery.
    """
    watches = {
        row.commitment_id: row
        for row in (
            await session.exec(
                select(BreachWatch).where(
                    col(BreachWatch.commitment_id).in_([c.commitment.id for c in cards])
                )
            )
        ).all()
    }
    fresh = [
        {
            "commitment_id": card.commitment.id,
            "breached_since": now if card.current.status == Status.BREACHED else None,
            "checked_at": now,
        }
        for card in cards
        if card.commitment.id not in watches
    ]
    if fresh:
        insert = insert_for(session, BreachWatch)
        await session.exec(
            insert.values(fresh).on_conflict_do_nothing(index_elements=["commitment_id"])
        )
    for card in cards:
        watch = watches.get(card.commitment.id)
        if watch is None:
            continue
        status = card.current.status
        values: dict[str, object] = {"checked_at": now}
        if status == Status.BREACHED and watch.breached_since is None:
            values["breached_since"] = now
        elif status in (Status.OK, Status.BELOW) and watch.breached_since is not None:
            values.update(breached_since=None, escalated_at=None)
        await session.exec(
            update(BreachWatch)
            .where(col(BreachWatch.commitment_id) == card.commitment.id)
            .values(**values)
        )


async def claim_escalations(
    session: AsyncSession, *, now: datetime, after: timedelta
) -> list[Escalation]:
    """Claim the breaches older than `after` whose commitment has no open plan, once each."""
    open_plan = exists().where(
        col(ActionPlan.commitment_id) == col(BreachWatch.commitment_id),
        col(ActionPlan.status) == PlanStatus.OPEN,
    )
    rows = (
        await session.exec(
            select(BreachWatch, Commitment)
            .join(Commitment, col(Commitment.id) == col(BreachWatch.commitment_id))
            .where(col(Commitment.archived_at).is_(None))
            .where(col(BreachWatch.breached_since) <= now - after)
            .where(col(BreachWatch.escalated_at).is_(None))
            .where(~open_plan)
            .order_by(col(Commitment.code))
        )
    ).all()
    if not rows:
        return []
    commitments = await load_commitments(session, ids=[c.id for _, c in rows if c.id])
    by_owner = owners_of(commitments, await service_owners(session))
    escalations: list[Escalation] = []
    for watch, commitment in rows:
        claimed = await session.exec(
            update(BreachWatch)
            .where(col(BreachWatch.commitment_id) == watch.commitment_id)
            .where(col(BreachWatch.escalated_at).is_(None))
            .values(escalated_at=now)
        )
        if not claimed.rowcount or watch.breached_since is None:
            continue
        owners = tuple(user for user, ids in by_owner.items() if watch.commitment_id in ids)
        escalations.append(
            Escalation(
                commitment_id=watch.commitment_id,
                code=commitment.code,
                title=commitment.title,
                title_en=commitment.title_en,
                breached_since=watch.breached_since,
                owners=owners,
            )
        )
    return escalations


async def quality_team(
    session: AsyncSession, *, configured: Sequence[str], default_locale: str
) -> list[tuple[str, str]]:
    """Return the admins (configured, then granted) with their language, to write to one by one."""
    granted = (await session.exec(select(Role.user_id).where(col(Role.role) == ADMIN))).all()
    admins = list(dict.fromkeys([*configured, *granted]))
    people = await _people(session, admins)
    team: list[tuple[str, str]] = []
    for user in admins:
        person = people.get(user)
        if person is not None and (person.deleted or person.is_bot):
            continue
        team.append((user, language(person.locale if person else None, default_locale)))
    return team
