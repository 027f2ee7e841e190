"""After sending: one reminder, never more; closing pulses whose response window has passed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.etiquette import next_good_moment, person_zone
from storage.tables import Person, Pulse, PulseStatus, Service


@dataclass(frozen=True)
class Closing:
    """A pulse just closed; `unanswered` ones still show buttons and need the closed notice."""

    pulse_id: int
    channel: str | None
    ts: str | None
    locale: str
    unanswered: bool


@dataclass(frozen=True)
class Reminder:
    """A reminder this instance has claimed and must now post."""

    pulse_id: int
    channel: str
    ts: str
    locale: str
    service_name: str
    service_name_en: str | None


async def close_expired(session: AsyncSession, *, now: datetime, limit: int) -> list[Closing]:
    """Close open pulses whose window has passed: unanswered ones become `expired`."""
    rows = (
        await session.exec(
            select(Pulse)
            .where(col(Pulse.status).in_((PulseStatus.SENT, PulseStatus.ANSWERED)))
            .where(col(Pulse.closed_at).is_(None))
            .where(col(Pulse.expires_at) <= now)
            .order_by(col(Pulse.expires_at))
            .limit(limit)
        )
    ).all()
    closings: list[Closing] = []
    for pulse in rows:
        unanswered = pulse.status == PulseStatus.SENT  # read before the update refreshes it
        # The conditional update is the claim: with several instances, one of them closes it.
        claimed = await session.exec(
            update(Pulse)
            .where(col(Pulse.id) == pulse.id)
            .where(col(Pulse.closed_at).is_(None))
            .values(
                closed_at=now,
                status=PulseStatus.EXPIRED if unanswered else pulse.status,
            )
        )
        if claimed.rowcount:
            closings.append(
                Closing(
                    pulse_id=pulse.id or 0,
                    channel=pulse.channel,
                    ts=pulse.ts,
                    locale=pulse.locale or "fr",
                    unanswered=unanswered,
                )
            )
    return closings


async def claim_reminders(
    session: AsyncSession,
    *,
    now: datetime,
    after: timedelta,
    zone: ZoneInfo,
    limit: int,
) -> list[Reminder]:
    """Claim the reminders due now (one per pulse, ever; only in the person's working hours)."""
    rows = (
        await session.exec(
            select(Pulse, Service, Person)
            .join(Service, col(Service.id) == col(Pulse.service_id))
            .outerjoin(Person, col(Person.user_id) == col(Pulse.recipient))
            .where(col(Pulse.status) == PulseStatus.SENT)
            .where(col(Pulse.reminded_at).is_(None))
            .where(col(Pulse.closed_at).is_(None))
            .where(col(Pulse.sent_at) <= now - after)
            .where(col(Pulse.expires_at) > now)
            .order_by(col(Pulse.sent_at))
            .limit(limit)
        )
    ).all()
    reminders: list[Reminder] = []
    for pulse, service, person in rows:
        if person is not None and person.opted_out:
            continue
        tz = person_zone(person.tz if person else None, zone)
        moment = next_good_moment(
            now, working_hours=service.working_hours, holidays=service.holidays, zone=tz
        )
        if moment > now or not pulse.channel or not pulse.ts:
            continue
        claimed = await session.exec(
            update(Pulse)
            .where(col(Pulse.id) == pulse.id)
            .where(col(Pulse.reminded_at).is_(None))
            .values(reminded_at=now)
        )
        if claimed.rowcount:
            reminders.append(
                Reminder(
                    pulse_id=pulse.id or 0,
                    channel=pulse.channel,
                    ts=pulse.ts,
                    locale=pulse.locale or "fr",
                    service_name=service.name,
                    service_name_en=service.name_en,
                )
            )
    return reminders
