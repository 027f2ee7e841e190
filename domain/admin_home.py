"""What the App Home shows each person: their pulses, their commitments, the bot's health."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.admin_services import next_digest
from domain.digests import DEFAULT_SCHEDULE
from domain.plan_views import open_plans_of
from domain.pulse_view import localized
from domain.roles import Caller
from domain.scoring import ScoreCard, score_cards, sort_cards
from domain.tallies import DELIVERED, load_commitments
from storage.tables import (
    Commitment,
    OwnerSchedule,
    Person,
    Pulse,
    PulseStatus,
    Question,
    Service,
    SlackEvent,
)
from storage.upsert import insert_for

WINDOWS = (7, 30)
MAX_OPEN_PULSES = 10
MISSED = (PulseStatus.FAILED, PulseStatus.UNDELIVERABLE)
WAITING = (PulseStatus.PENDING, PulseStatus.SENDING)


@dataclass(frozen=True)
class OpenPulse:
    """A pulse the person can still answer."""

    service: str
    sent_at: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True)
class AgentHome:
    """What concerns everyone: their open pulses, what they answered, their choices."""

    open_pulses: tuple[OpenPulse, ...]
    answered: int
    slack_locale: str | None
    opted_out: bool


@dataclass(frozen=True)
class OwnerHome:
    """An owner's commitments, worst first, and their next digest."""

    cards: tuple[ScoreCard, ...]
    schedule: str
    next_digest: datetime | None
    open_plans: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PulseWindow:
    """Pulses sent, answered and failed over the last `days` days."""

    days: int
    sent: int
    answered: int
    failed: int

    @property
    def response_rate(self) -> float | None:
        """Return answered / sent as a percent, None when nothing was sent."""
        return 100.0 * self.answered / self.sent if self.sent else None


@dataclass(frozen=True)
class AdminHome:
    """The charter at a glance, the pulse figures and the dispatcher's backlog."""

    services: int
    paused: tuple[str, ...]
    commitments: int
    questions: int
    windows: tuple[PulseWindow, ...]
    backlog: int
    oldest_due: datetime | None


@dataclass(frozen=True)
class HomeData:
    """Everything one person's Home tab shows, by role."""

    caller: Caller
    agent: AgentHome
    owner: OwnerHome | None
    admin: AdminHome | None
    as_of: datetime


async def claim_event(session: AsyncSession, *, event_id: str, now: datetime) -> bool:
    """Record an Events API delivery; False if it was handled already (a Slack retry)."""
    insert = insert_for(session, SlackEvent)
    statement = (
        insert.values(event_id=event_id[:64], received_at=now)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(insert.table.c.event_id)
    )
    return (await session.exec(statement)).first() is not None


async def home_data(
    session: AsyncSession, *, caller: Caller, now: datetime, zone: ZoneInfo
) -> HomeData:
    """Gather the Home tab of one person: the agent part always, the rest by role."""
    return HomeData(
        caller=caller,
        agent=await _agent(session, caller=caller, now=now),
        owner=await _owner(session, caller=caller, now=now, zone=zone) if caller.owned else None,
        admin=await _admin(session, now=now) if caller.admin else None,
        as_of=now,
    )


async def _agent(session: AsyncSession, *, caller: Caller, now: datetime) -> AgentHome:
    rows = (
        await session.exec(
            select(Pulse, Service)
            .join(Service, col(Service.id) == col(Pulse.service_id))
            .where(col(Pulse.recipient) == caller.user_id, col(Pulse.status) == PulseStatus.SENT)
            .where((col(Pulse.expires_at).is_(None)) | (col(Pulse.expires_at) > now))
            .order_by(col(Pulse.sent_at).desc())
            .limit(MAX_OPEN_PULSES)
        )
    ).all()
    answered = (
        await session.exec(
            select(func.count())
            .select_from(Pulse)
            .where(col(Pulse.recipient) == caller.user_id)
            .where(col(Pulse.status) == PulseStatus.ANSWERED)
        )
    ).one()
    person = await session.get(Person, caller.user_id)
    return AgentHome(
        open_pulses=tuple(
            OpenPulse(
                localized(caller.locale, service.name, service.name_en),
                pulse.sent_at,
                pulse.expires_at,
            )
            for pulse, service in rows
        ),
        answered=int(answered),
        slack_locale=person.locale if person else None,
        opted_out=bool(person and person.opted_out),
    )


async def _owner(
    session: AsyncSession, *, caller: Caller, now: datetime, zone: ZoneInfo
) -> OwnerHome:
    commitments = await load_commitments(session, ids=sorted(caller.owned))
    cards = await score_cards(session, as_of=now, commitments=commitments)
    row = await session.get(OwnerSchedule, caller.user_id)
    schedule = row.schedule if row else DEFAULT_SCHEDULE
    return OwnerHome(
        cards=tuple(sort_cards(cards)),
        schedule=schedule,
        next_digest=next_digest(schedule, after=now, zone=zone),
        open_plans=await open_plans_of(session, commitment_ids=[c.id for c in commitments]),
    )


async def _admin(session: AsyncSession, *, now: datetime) -> AdminHome:
    services = (await session.exec(select(Service).where(col(Service.archived_at).is_(None)))).all()
    commitments = (
        await session.exec(
            select(func.count())
            .select_from(Commitment)
            .where(col(Commitment.archived_at).is_(None))
        )
    ).one()
    questions = (
        await session.exec(
            select(func.count())
            .select_from(Question)
            .join(Commitment, col(Commitment.id) == col(Question.commitment_id))
            .where(col(Question.active).is_(True), col(Commitment.archived_at).is_(None))
        )
    ).one()
    backlog, oldest = (
        await session.exec(
            select(func.count(), func.min(col(Pulse.due_at)))
            .where(col(Pulse.status).in_(list(WAITING)))
            .where(col(Pulse.due_at) <= now)
        )
    ).one()
    return AdminHome(
        services=len(services),
        paused=tuple(sorted(s.code for s in services if s.paused)),
        commitments=int(commitments),
        questions=int(questions),
        windows=tuple([await _window(session, now=now, days=days) for days in WINDOWS]),
        backlog=int(backlog),
        oldest_due=_aware(oldest),
    )


async def _window(session: AsyncSession, *, now: datetime, days: int) -> PulseWindow:
    since = now - timedelta(days=days)
    sent, answered = (
        await session.exec(
            select(
                func.count(),
                func.sum(case((col(Pulse.status) == PulseStatus.ANSWERED, 1), else_=0)),
            )
            .where(col(Pulse.sent_at) >= since)
            .where(col(Pulse.status).in_(list(DELIVERED)))
        )
    ).one()
    failed = (
        await session.exec(
            select(func.count())
            .select_from(Pulse)
            .where(col(Pulse.closed_at) >= since)
            .where(col(Pulse.status).in_(list(MISSED)))
        )
    ).one()
    return PulseWindow(days=days, sent=int(sent), answered=int(answered or 0), failed=int(failed))


def _aware(value: datetime | None) -> datetime | None:
    # func.min() bypasses the column type: SQLite hands back naive UTC text or datetimes.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
