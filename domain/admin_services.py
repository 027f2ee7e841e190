"""Services and digest schedules from Slack: list, pause and resume pulses, set schedules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import record
from domain.charter_admin import Change, Data, UnknownCode, change_charter, raise_problems
from domain.charter_formats import parse_schedule
from domain.digests import DEFAULT_SCHEDULE, owners_of, service_owners
from domain.roles import Caller
from domain.tallies import load_commitments
from storage.tables import Commitment, OwnerSchedule, Service

# A monthly schedule fires within 31 days; a little more covers daylight-saving shifts.
_HORIZON_DAYS = 62


@dataclass(frozen=True)
class ServiceLine:
    """A live service as the list shows it."""

    code: str
    name: str
    name_en: str | None
    paused: bool
    owners: tuple[str, ...]
    commitments: int


@dataclass(frozen=True)
class ScheduleInfo:
    """When one person receives the digest, and when the next one goes."""

    user_id: str
    schedule: str
    next_at: datetime | None


async def list_services(session: AsyncSession, *, caller: Caller) -> list[ServiceLine]:
    """Return the live services, paused ones marked (owners and admins)."""
    caller.require_owner()
    counts = dict(
        (
            await session.exec(
                select(col(Commitment.service_id), func.count())
                .where(col(Commitment.archived_at).is_(None))
                .group_by(col(Commitment.service_id))
            )
        ).all()
    )
    rows = await _live(session)
    return [
        ServiceLine(
            code=row.code,
            name=row.name,
            name_en=row.name_en,
            paused=row.paused,
            owners=tuple(row.owners),
            commitments=int(counts.get(row.id, 0)),
        )
        for row in rows
    ]


async def set_paused(
    session: AsyncSession, *, caller: Caller, code: str, paused: bool, now: datetime
) -> Change:
    """Pause or resume a service's pulses; interactions keep coming in and wait."""
    caller.require_admin()
    rows = await _live(session)
    wanted = code.strip().upper()
    row = next((r for r in rows if r.code == wanted), None)
    if row is None:
        raise UnknownCode("service", code, [r.code for r in rows], locale=caller.locale)
    change = Change(
        action="service.pause" if paused else "service.resume",
        target=row.code,
        before={"paused": row.paused},
        after={"paused": paused},
    )
    if change.changed:
        row.paused = paused
        session.add(row)
        await record(
            session,
            actor=caller.user_id,
            action=change.action,
            target=row.code,
            before=change.before,
            after=change.after,
            now=now,
        )
    return change


async def schedule_of(
    session: AsyncSession, *, caller: Caller, user_id: str, now: datetime, zone: ZoneInfo
) -> ScheduleInfo:
    """Return one person's digest schedule (their own for owners, anyone's for admins)."""
    _may_schedule(caller, user_id)
    row = await session.get(OwnerSchedule, user_id)
    schedule = row.schedule if row else DEFAULT_SCHEDULE
    return ScheduleInfo(user_id, schedule, next_digest(schedule, after=now, zone=zone))


async def list_schedules(
    session: AsyncSession, *, caller: Caller, now: datetime, zone: ZoneInfo
) -> list[ScheduleInfo]:
    """Return the schedule of every owner in the charter (admins)."""
    caller.require_admin()
    owners = owners_of(await load_commitments(session), await service_owners(session))
    rows = {row.user_id: row.schedule for row in (await session.exec(select(OwnerSchedule))).all()}
    return [
        ScheduleInfo(user, rows.get(user, DEFAULT_SCHEDULE), None)
        for user in sorted({*owners, *rows})
    ]


async def set_schedule(
    session: AsyncSession, *, caller: Caller, user_id: str, schedule: str, now: datetime
) -> Change:
    """Set when a person receives the digest, written as in the charter (`mon 09:00`)."""
    _may_schedule(caller, user_id)
    text = " ".join(schedule.split()).lower()
    try:
        parse_schedule(text)
    except ValueError:
        raise_problems({"schedule": ("admin.field.schedule", {"value": schedule})}, caller.locale)

    def edit(data: Data) -> tuple[Data | None, Data | None]:
        entry = next((o for o in data["owners"] if o["user"] == user_id), None)
        previous = entry["schedule"] if entry else DEFAULT_SCHEDULE
        if entry is None:
            data["owners"].append({"user": user_id, "schedule": text})
        else:
            entry["schedule"] = text
        return {"schedule": previous}, {"schedule": text}

    return await change_charter(
        session, caller=caller, action="schedule.set", target=user_id, edit=edit, now=now
    )


def next_digest(schedule: str, *, after: datetime, zone: ZoneInfo) -> datetime | None:
    """Return the first time `schedule` fires strictly after `after` (aware, UTC)."""
    parsed = parse_schedule(schedule)
    local = after.astimezone(zone)
    for ahead in range(_HORIZON_DAYS):
        day = local.date() + timedelta(days=ahead)
        if parsed.month_day is not None:
            if day.day != parsed.month_day:
                continue
        elif day.weekday() not in parsed.weekdays:
            continue
        candidate = datetime.combine(day, parsed.at, tzinfo=zone)
        if candidate > local:
            return candidate.astimezone(after.tzinfo)
    return None


def _may_schedule(caller: Caller, user_id: str) -> None:
    if user_id == caller.user_id:
        caller.require_owner()
    else:
        caller.require_admin()


async def _live(session: AsyncSession) -> list[Service]:
    rows = await session.exec(
        select(Service).where(col(Service.archived_at).is_(None)).order_by(col(Service.code))
    )
    return list(rows.all())
