"""The outbox side of pulses: claim due rows with a lease, prepare them, record what Slack said."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.contact import last_contact, recent_commitments
from domain.directory import DIRECTORY_FRESHNESS, directory_synced_at, find_by_email
from domain.etiquette import Etiquette, next_good_moment, person_zone, sampled
from domain.pulse_view import PulseView, load_pulse_view
from domain.selection import select_questions
from storage.tables import Interaction, Person, Pulse, PulseStatus, Service

LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(minutes=15)


@dataclass(frozen=True)
class Claimed:
    """A pulse this instance now holds; `in_doubt` if an earlier send may have reached Slack."""

    pulse_id: int
    in_doubt: bool


class Outcome(StrEnum):
    """What preparing a claimed pulse decided."""

    READY = "ready"
    UNDELIVERABLE = "undeliverable"
    SKIPPED = "skipped"
    DEFERRED = "deferred"
    WAIT_FOR_DIRECTORY = "wait_for_directory"


@dataclass(frozen=True)
class Prepared:
    """A claimed pulse, ready to send (with its view) or settled without sending."""

    claimed: Claimed
    outcome: Outcome
    view: PulseView | None = None
    coverage: float = 0.0
    occurred_at: datetime | None = None


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, lease: timedelta = LEASE
) -> list[Claimed]:
    """Take up to `limit` due pulses (and expired leases, in doubt) for this instance."""
    due = or_(
        and_(col(Pulse.status) == PulseStatus.PENDING, col(Pulse.due_at) <= now),
        and_(col(Pulse.status) == PulseStatus.SENDING, col(Pulse.locked_until) < now),
    )
    query = (
        select(Pulse.id, Pulse.status)
        .join(Service, col(Service.id) == col(Pulse.service_id))
        .where(due)
        .where(col(Service.paused).is_(False))
        .order_by(col(Pulse.due_at), col(Pulse.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Several instances claim concurrently; each takes rows nobody else holds.
        query = query.with_for_update(skip_locked=True, of=Pulse)
    rows = (await session.exec(query)).all()
    if not rows:
        return []
    ids = [int(row[0] or 0) for row in rows]
    await session.exec(
        update(Pulse)
        .where(col(Pulse.id).in_(ids))
        .values(
            status=PulseStatus.SENDING,
            locked_until=now + lease,
            attempts=col(Pulse.attempts) + 1,
        )
    )
    return [
        Claimed(pulse_id=int(row[0] or 0), in_doubt=row[1] == PulseStatus.SENDING) for row in rows
    ]


async def prepare(
    session: AsyncSession,
    *,
    claimed: Claimed,
    now: datetime,
    pseudonymize: Callable[[str], str],
    default_locale: str,
    etiquette: Etiquette,
    zone: ZoneInfo,
) -> Prepared:
    """Resolve the recipient, apply the etiquette, choose the questions once, build the view."""
    pulse = await session.get_one(Pulse, claimed.pulse_id)
    person = await _recipient(session, pulse=pulse)
    if person is None:
        # Slack accepts posts to deactivated accounts, so nobody is written to before the
        # directory has been read once; then an unknown email is undeliverable and an unknown
        # Slack id (someone who joined since the daily sync) is written to.
        synced = await directory_synced_at(session)
        if synced is None or now - synced > DIRECTORY_FRESHNESS:
            return Prepared(claimed, Outcome.WAIT_FOR_DIRECTORY)
        if pulse.recipient is None:
            return _settled(claimed, pulse, PulseStatus.UNDELIVERABLE, now, "unknown_email")
        person = Person(user_id=pulse.recipient)
    if person.deleted or person.is_bot:
        return _settled(claimed, pulse, PulseStatus.UNDELIVERABLE, now, "deactivated_user")
    if person.opted_out and not claimed.in_doubt:
        return _settled(claimed, pulse, PulseStatus.SKIPPED, now, "opted_out")
    pulse.recipient = person.user_id
    pulse.respondent = pulse.respondent or pseudonymize(person.user_id)
    pulse.locale = pulse.locale or _language(person.locale, default_locale)
    interaction = await session.get_one(Interaction, pulse.interaction_id)
    coverage = 0.0
    # A pulse in doubt may already be in the person's DM: no rule may now hold it back.
    if not claimed.in_doubt:
        service = await session.get_one(Service, pulse.service_id)
        if not sampled(pulse.interaction_id, service.sampling_percent):
            return _settled(claimed, pulse, PulseStatus.SKIPPED, now, "not_sampled")
        moment = next_good_moment(
            now,
            working_hours=service.working_hours,
            holidays=service.holidays,
            zone=person_zone(person.tz, zone),
        )
        if moment > now:
            _defer(pulse, moment)
            return Prepared(claimed, Outcome.DEFERRED)
        last = await last_contact(session, respondent=pulse.respondent)
        if last is not None and now - last < etiquette.cooldown:
            return _settled(claimed, pulse, PulseStatus.SKIPPED, now, "cooldown")
        if not pulse.question_ids:
            asked = await recent_commitments(
                session, respondent=pulse.respondent, since=now - etiquette.commitment_cooldown
            )
            selection = await select_questions(
                session, service_id=pulse.service_id, now=now, exclude=frozenset(asked)
            )
            if selection is None:
                reason = "commitment_cooldown" if asked else "no_active_question"
                return _settled(claimed, pulse, PulseStatus.SKIPPED, now, reason)
            pulse.commitment_id = selection.commitment_id
            pulse.question_ids = list(selection.question_ids)
            coverage = selection.coverage
    session.add(pulse)
    await session.flush()
    view = await load_pulse_view(session, pulse=pulse)
    return Prepared(claimed, Outcome.READY, view, coverage, interaction.occurred_at)


async def keep_one_per_person(
    session: AsyncSession, *, prepared: list[Prepared], now: datetime
) -> list[Prepared]:
    """Among ready pulses for the same person, keep the most needed; skip the others, saying so.

    Most needed: the commitment furthest from its minimum respondents, then the most recent
    interaction. The others are recorded as skipped so owners see coverage, not silence.
    """
    best: dict[str, Prepared] = {}
    for item in prepared:
        if item.outcome is not Outcome.READY or item.view is None:
            continue
        current = best.get(item.view.recipient)
        if current is None or _rank(item) < _rank(current):
            best[item.view.recipient] = item
    kept: list[Prepared] = []
    for item in prepared:
        if item.outcome is not Outcome.READY or item.view is None:
            continue
        if best[item.view.recipient] is item:
            kept.append(item)
            continue
        pulse = await session.get_one(Pulse, item.claimed.pulse_id)
        _settle(pulse, PulseStatus.SKIPPED, now, "another_pulse_chosen")
        session.add(pulse)
    return kept


def _rank(item: Prepared) -> tuple[int, float, float]:
    occurred = item.occurred_at.timestamp() if item.occurred_at else 0.0
    return (0 if item.claimed.in_doubt else 1, item.coverage, -occurred)


def _defer(pulse: Pulse, moment: datetime) -> None:
    # Not an attempt: the pulse simply waits for working hours.
    pulse.status = PulseStatus.PENDING
    pulse.due_at = moment
    pulse.locked_until = None
    pulse.attempts = max(0, pulse.attempts - 1)


def _settled(
    claimed: Claimed, pulse: Pulse, status: PulseStatus, now: datetime, reason: str
) -> Prepared:
    _settle(pulse, status, now, reason)
    outcome = Outcome.UNDELIVERABLE if status == PulseStatus.UNDELIVERABLE else Outcome.SKIPPED
    return Prepared(claimed, outcome)


async def _recipient(session: AsyncSession, *, pulse: Pulse) -> Person | None:
    if pulse.recipient:
        return await session.get(Person, pulse.recipient)
    if pulse.recipient_email:
        return await find_by_email(session, email=pulse.recipient_email)
    return None


def _language(slack_locale: str | None, default: str) -> str:
    if slack_locale:
        language = slack_locale.replace("_", "-").split("-")[0].lower()
        if language in ("fr", "en"):
            return language
    return default


def _settle(pulse: Pulse, status: PulseStatus, now: datetime, reason: str) -> None:
    pulse.status = status
    pulse.reason = reason
    pulse.locked_until = None
    pulse.closed_at = now


async def mark_sent(
    session: AsyncSession,
    *,
    pulse_id: int,
    channel: str,
    ts: str,
    now: datetime,
    response_window: timedelta,
) -> None:
    """Record where the pulse landed; it is open for answers until its window closes."""
    pulse = await session.get_one(Pulse, pulse_id)
    pulse.status = PulseStatus.SENT
    pulse.channel = channel
    pulse.ts = ts
    pulse.sent_at = now
    pulse.expires_at = now + response_window
    pulse.locked_until = None
    pulse.reason = None
    session.add(pulse)


async def mark_settled(
    session: AsyncSession, *, pulse_id: int, status: PulseStatus, now: datetime, reason: str
) -> None:
    """Close a pulse that will never be sent (undeliverable, failed, skipped)."""
    pulse = await session.get_one(Pulse, pulse_id)
    _settle(pulse, status, now, reason[:300])
    session.add(pulse)


async def mark_retry(
    session: AsyncSession,
    *,
    pulse_id: int,
    now: datetime,
    reason: str,
    max_attempts: int,
    delay: timedelta | None = None,
) -> PulseStatus:
    """Put a pulse back in the queue with backoff, or fail it after `max_attempts`."""
    pulse = await session.get_one(Pulse, pulse_id)
    if pulse.attempts >= max_attempts:
        _settle(pulse, PulseStatus.FAILED, now, f"{reason} after {pulse.attempts} attempts"[:300])
    else:
        backoff = delay or min(MAX_BACKOFF, timedelta(seconds=5 * 2 ** max(0, pulse.attempts - 1)))
        pulse.status = PulseStatus.PENDING
        pulse.due_at = now + backoff
        pulse.locked_until = None
        pulse.reason = reason[:300]
    session.add(pulse)
    return PulseStatus(pulse.status)


async def mark_in_doubt(
    session: AsyncSession, *, pulse_id: int, now: datetime, reason: str
) -> None:
    """Leave a pulse `sending` with an expired lease: the next pass reconciles it first."""
    await session.exec(
        update(Pulse).where(col(Pulse.id) == pulse_id).values(locked_until=now, reason=reason[:300])
    )


async def release(session: AsyncSession, *, pulse_ids: Sequence[int]) -> None:
    """Give claimed pulses back untouched (shutdown, or waiting for the directory)."""
    if pulse_ids:
        await session.exec(
            update(Pulse)
            .where(col(Pulse.id).in_(list(pulse_ids)))
            .where(col(Pulse.status) == PulseStatus.SENDING)
            .values(
                status=PulseStatus.PENDING,
                locked_until=None,
                attempts=col(Pulse.attempts) - 1,
            )
        )
