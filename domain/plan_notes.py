""" "Vous avez dit, nous avons fait": a done plan's note to the people who answered before it.

Only people still reachable under the privacy rules receive it: their pulse's identity link
has not been erased yet, they did not opt out, they are still in the workspace. The note is a
contact: whoever was contacted within the cooldown is skipped, and the note then counts in
their budget. Fewer than five recipients and it is refused: a small group could point at who
answered. The owner learns how many it reached, never who; each row forgets its recipient
once delivered (or given up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import record
from domain.charter_admin import Problem, raise_problems
from domain.contact import last_contacts
from domain.errors import Conflict
from domain.etiquette import next_good_moment, person_zone
from domain.group_sizes import SCORE_MIN_GROUP
from domain.plan_jobs import DEFAULT_HOLIDAYS, DEFAULT_HOURS
from domain.plan_views import PlanLine, load_plans, readable_plan
from domain.pulse_view import localized
from domain.roles import Caller, language
from storage.tables import (
    ActionPlan,
    Answer,
    Commitment,
    Person,
    PlanNote,
    PlanStatus,
    Pulse,
    Service,
)
from storage.upsert import insert_for

MIN_RECIPIENTS = SCORE_MIN_GROUP
MAX_NOTE = 1000
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8


class NoteNotReady(Conflict):
    """Only a done plan can tell its contributors what changed."""

    key = "plan.refused.note_not_done"


class NoteAlreadySent(Conflict):
    """A plan's note goes once."""

    key = "plan.refused.note_sent"


class NoteTooFew(Conflict):
    """Fewer than five people would receive it: they could be told apart."""

    key = "plan.refused.note_too_few"


@dataclass(frozen=True)
class Recipient:
    """One person the note may go to (the user id leaves this module only in the outbox)."""

    user_id: str
    respondent: str
    locale: str
    tz: str | None


@dataclass(frozen=True)
class Audience:
    """Who the note would reach, and how many were left out (and why, in numbers)."""

    recipients: tuple[Recipient, ...]
    skipped: int
    unreachable: int


@dataclass(frozen=True)
class NotePreview:
    """The note as it will go, and how many it reaches: shown before sending, and after."""

    plan: PlanLine
    text: str
    text_en: str | None
    reached: int
    skipped: int
    unreachable: int


@dataclass(frozen=True)
class NoteToSend:
    """A claimed note: whom to write to, in which language, about what."""

    id: int
    recipient: str
    locale: str
    text: str
    code: str
    title: str


def check_note(
    text: str | None, text_en: str | None, *, locale: str | None
) -> tuple[str, str | None]:
    """Return the French (or only) text and the optional English one, or raise FieldErrors."""
    problems: dict[str, Problem] = {}
    main, english = (text or "").strip(), (text_en or "").strip()
    if not main:
        problems["text"] = ("plan.field.required", {})
    for name, value in (("text", main), ("text_en", english)):
        if len(value) > MAX_NOTE:
            problems[name] = ("plan.field.too_long", {"limit": MAX_NOTE})
    raise_problems(problems, locale)
    return main, english or None


async def note_audience(
    session: AsyncSession,
    *,
    plan: ActionPlan,
    now: datetime,
    cooldown: timedelta,
    default_locale: str,
) -> Audience:
    """Return the people who answered in the window before the plan and may hear from it."""
    start = plan.opened_at - timedelta(days=plan.window_days)
    rows = (
        await session.exec(
            select(Answer.respondent, Pulse.recipient, Pulse.locale)
            .join(Pulse, col(Pulse.id) == col(Answer.pulse_id))
            .where(col(Answer.commitment_id) == plan.commitment_id)
            .where(col(Answer.answered_at) >= start, col(Answer.answered_at) < plan.opened_at)
            .distinct()
        )
    ).all()
    links: dict[str, tuple[str | None, str | None]] = {}
    for respondent, recipient, locale in rows:
        known = links.get(respondent)
        if known is None or (known[0] is None and recipient is not None):
            links[respondent] = (recipient, locale)
    people = {
        person.user_id: person
        for person in (
            await session.exec(
                select(Person).where(
                    col(Person.user_id).in_([u for u, _ in links.values() if u is not None])
                )
            )
        ).all()
    }
    reachable: list[Recipient] = []
    unreachable = 0
    for respondent, (user_id, pulse_locale) in sorted(links.items()):
        person = people.get(user_id) if user_id else None
        if user_id is None or (
            person is not None and (person.opted_out or person.deleted or person.is_bot)
        ):
            unreachable += 1
            continue
        slack_locale = person.locale if person else None
        reachable.append(
            Recipient(
                user_id=user_id,
                respondent=respondent,
                locale=language(slack_locale or pulse_locale, default_locale),
                tz=person.tz if person else None,
            )
        )
    contacted = await last_contacts(session, respondents=[r.respondent for r in reachable])
    recipients = tuple(
        r
        for r in reachable
        if r.respondent not in contacted or now - contacted[r.respondent] >= cooldown
    )
    return Audience(recipients, len(reachable) - len(recipients), unreachable)


async def _done_plan(session: AsyncSession, *, caller: Caller, plan_id: int) -> ActionPlan:
    plan = await readable_plan(session, caller=caller, plan_id=plan_id)
    if plan.status != PlanStatus.DONE:
        raise NoteNotReady(locale=caller.locale, id=plan_id)
    if plan.note_at is not None:
        raise NoteAlreadySent(locale=caller.locale, id=plan_id)
    return plan


async def note_plan(session: AsyncSession, *, caller: Caller, plan_id: int) -> PlanLine:
    """Return the done plan whose note the caller is about to write (refuse if it went)."""
    [line] = await load_plans(
        session, plans=[await _done_plan(session, caller=caller, plan_id=plan_id)]
    )
    return line


async def _prepare(
    session: AsyncSession,
    *,
    caller: Caller,
    plan_id: int,
    text: str | None,
    text_en: str | None,
    now: datetime,
    cooldown: timedelta,
    default_locale: str,
) -> tuple[ActionPlan, str, str | None, Audience]:
    plan = await _done_plan(session, caller=caller, plan_id=plan_id)
    main, english = check_note(text, text_en, locale=caller.locale)
    audience = await note_audience(
        session, plan=plan, now=now, cooldown=cooldown, default_locale=default_locale
    )
    if len(audience.recipients) < MIN_RECIPIENTS:
        raise NoteTooFew(locale=caller.locale, minimum=MIN_RECIPIENTS)
    return plan, main, english, audience


async def preview_note(
    session: AsyncSession,
    *,
    caller: Caller,
    plan_id: int,
    text: str | None,
    text_en: str | None,
    now: datetime,
    cooldown: timedelta,
    default_locale: str,
) -> NotePreview:
    """Check the note and tell how many it would reach; refuse below the minimum group size."""
    plan, main, english, audience = await _prepare(
        session,
        caller=caller,
        plan_id=plan_id,
        text=text,
        text_en=text_en,
        now=now,
        cooldown=cooldown,
        default_locale=default_locale,
    )
    [line] = await load_plans(session, plans=[plan])
    return NotePreview(
        line, main, english, len(audience.recipients), audience.skipped, audience.unreachable
    )


async def send_note(
    session: AsyncSession,
    *,
    caller: Caller,
    plan_id: int,
    text: str | None,
    text_en: str | None,
    now: datetime,
    cooldown: timedelta,
    zone: ZoneInfo,
    default_locale: str,
) -> NotePreview:
    """Queue one DM per recipient (in their working hours) and record the counts, once per plan."""
    plan, main, english, audience = await _prepare(
        session,
        caller=caller,
        plan_id=plan_id,
        text=text,
        text_en=text_en,
        now=now,
        cooldown=cooldown,
        default_locale=default_locale,
    )
    counts = {
        "note_queued": len(audience.recipients),
        "note_skipped": audience.skipped,
        "note_unreachable": audience.unreachable,
    }
    claimed = await session.exec(
        update(ActionPlan)
        .where(col(ActionPlan.id) == plan_id)
        .where(col(ActionPlan.note_at).is_(None))
        .values(note_at=now, note_text=main, note_text_en=english, **counts)
    )
    if claimed.rowcount != 1:
        raise NoteAlreadySent(locale=caller.locale, id=plan_id)
    commitment = await session.get_one(Commitment, plan.commitment_id)
    service = await session.get(Service, commitment.service_id) if commitment.service_id else None
    rows = [
        {
            "plan_id": plan_id,
            "respondent": r.respondent,
            "recipient": r.user_id,
            "locale": r.locale,
            "created_at": now,
            "due_at": next_good_moment(
                now,
                working_hours=service.working_hours if service else DEFAULT_HOURS,
                holidays=service.holidays if service else DEFAULT_HOLIDAYS,
                zone=person_zone(r.tz, zone),
            ),
            "attempts": 0,
        }
        for r in audience.recipients
    ]
    insert = insert_for(session, PlanNote)
    await session.exec(
        insert.values(rows).on_conflict_do_nothing(index_elements=["plan_id", "respondent"])
    )
    await record(
        session,
        actor=caller.user_id,
        action="plan.note",
        target=f"plan:{plan_id}",
        before=None,
        after={"text": main, **{k.removeprefix("note_"): v for k, v in counts.items()}},
        now=now,
    )
    [line] = await load_plans(session, plans=[await session.get_one(ActionPlan, plan_id)])
    return NotePreview(
        line, main, english, len(audience.recipients), audience.skipped, audience.unreachable
    )


async def claim_notes(session: AsyncSession, *, now: datetime, limit: int) -> list[NoteToSend]:
    """Take due notes (a lease, so a crash only delays them); forget those who opted out since."""
    rows = (
        await session.exec(
            select(PlanNote, ActionPlan, Commitment, Person)
            .join(ActionPlan, col(ActionPlan.id) == col(PlanNote.plan_id))
            .join(Commitment, col(Commitment.id) == col(ActionPlan.commitment_id))
            .outerjoin(Person, col(Person.user_id) == col(PlanNote.recipient))
            .where(col(PlanNote.sent_at).is_(None))
            .where(col(PlanNote.recipient).is_not(None))
            .where(col(PlanNote.due_at) <= now)
            .where(col(PlanNote.attempts) < MAX_ATTEMPTS)
            .order_by(col(PlanNote.due_at), col(PlanNote.id))
            .limit(limit)
        )
    ).all()
    claimed: list[NoteToSend] = []
    for note, plan, commitment, person in rows:
        if person is not None and (person.opted_out or person.deleted or person.is_bot):
            await settle_note(session, note_id=note.id or 0, now=now, error="opted_out", final=True)
            continue
        taken = await session.exec(
            update(PlanNote)
            .where(col(PlanNote.id) == note.id)
            .where(col(PlanNote.due_at) == note.due_at)
            .values(due_at=now + LEASE, attempts=col(PlanNote.attempts) + 1)
        )
        if not taken.rowcount or note.recipient is None:
            continue
        english = note.locale == "en" and plan.note_text_en
        claimed.append(
            NoteToSend(
                id=note.id or 0,
                recipient=note.recipient,
                locale=note.locale,
                text=(plan.note_text_en if english else plan.note_text) or "",
                code=commitment.code,
                title=localized(note.locale, commitment.title, commitment.title_en),
            )
        )
    return claimed


async def settle_note(
    session: AsyncSession,
    *,
    note_id: int,
    now: datetime,
    error: str | None = None,
    final: bool = False,
) -> None:
    """Record a delivery (and forget the recipient), or a failure to retry with backoff."""
    note = await session.get_one(PlanNote, note_id)
    if error is None:
        note.sent_at, note.recipient, note.last_error = now, None, None
    elif final or note.attempts >= MAX_ATTEMPTS:
        # Given up: the identity link has no further use.
        note.recipient, note.last_error = None, error[:300]
    else:
        note.due_at = now + min(timedelta(hours=1), timedelta(seconds=30 * 2**note.attempts))
        note.last_error = error[:300]
    session.add(note)
