"""Deliver the notices owed (owners' DMs, callbacks): claim with a lease, retry with backoff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.pulse_view import localized
from storage.tables import Interaction, Notice, Person, Pulse, Service

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class NoticeToSend:
    """A claimed notice with what its message needs."""

    id: int
    kind: str
    recipient: str
    locale: str
    service_name: str
    reference: str | None
    source: str
    external_id: str
    reported_at: datetime


async def claim_notices(session: AsyncSession, *, now: datetime, limit: int) -> list[NoticeToSend]:
    """Take due notices for this instance (a lease, so a crash only delays them)."""
    rows = (
        await session.exec(
            select(Notice, Pulse, Interaction, Service)
            .join(Pulse, col(Pulse.id) == col(Notice.pulse_id))
            .join(Interaction, col(Interaction.id) == col(Pulse.interaction_id))
            .join(Service, col(Service.id) == col(Pulse.service_id))
            .where(col(Notice.sent_at).is_(None))
            .where(col(Notice.due_at) <= now)
            .where(col(Notice.attempts) < MAX_ATTEMPTS)
            .order_by(col(Notice.due_at))
            .limit(limit)
        )
    ).all()
    claimed: list[NoticeToSend] = []
    for notice, pulse, interaction, service in rows:
        taken = await session.exec(
            update(Notice)
            .where(col(Notice.id) == notice.id)
            .where(col(Notice.due_at) == notice.due_at)
            .values(due_at=now + LEASE, attempts=col(Notice.attempts) + 1)
        )
        if not taken.rowcount:
            continue
        person = await session.get(Person, notice.recipient)
        locale = (person.locale or "fr")[:2] if person else "fr"
        claimed.append(
            NoticeToSend(
                id=notice.id or 0,
                kind=notice.kind,
                recipient=notice.recipient,
                locale=locale if locale in ("fr", "en") else "fr",
                service_name=localized(locale, service.name, service.name_en),
                reference=interaction.reference,
                source=interaction.source,
                external_id=interaction.external_id,
                reported_at=pulse.closed_at or now,
            )
        )
    return claimed


async def mark_notice(
    session: AsyncSession, *, notice_id: int, now: datetime, error: str | None = None
) -> None:
    """Record a delivery, or a failure to retry later (backoff doubles up to an hour)."""
    notice = await session.get_one(Notice, notice_id)
    if error is None:
        notice.sent_at = now
        notice.last_error = None
    else:
        notice.due_at = now + min(timedelta(hours=1), timedelta(seconds=30 * 2**notice.attempts))
        notice.last_error = error[:300]
    session.add(notice)
