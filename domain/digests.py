"""Who gets which digest for which period, and the figures it shows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.charter_formats import parse_schedule
from domain.errors import NotAllowed, NotFound
from domain.group_sizes import COMMENT_MIN_GROUP
from domain.masking import mask_personal_data
from domain.plan_effects import PlanDigest, digest_plans
from domain.scoring import ScoreCard, score_cards, weekly_estimates
from domain.tallies import CommitmentInfo, load_commitments, recent_comments
from storage.tables import OwnerSchedule, Person, Role, Service

DEFAULT_SCHEDULE = "mon 09:00"
# Comments are shown only where ten people answered: fewer could point at someone.
COMMENT_MIN_RESPONDENTS = COMMENT_MIN_GROUP
MAX_COMMENTS = 3
# The longest a schedule can go without firing: a monthly one, plus a margin for DST.
_LOOKBACK_DAYS = 62


@dataclass(frozen=True)
class OwnerPlan:
    """One owner's digest for one period: whom, when, in which language, about what."""

    owner: str
    schedule: str
    period_start: datetime
    commitment_ids: tuple[int, ...]
    locale: str | None
    deactivated: bool

    @property
    def run_key(self) -> str:
        """Return the key of the run this digest belongs to (one per schedule)."""
        return f"digest:{self.schedule}"


@dataclass(frozen=True)
class DigestFigures:
    """Every score a set of digests shows, computed once as of one instant."""

    as_of: datetime
    cards: dict[int, ScoreCard]
    weekly: dict[int, list[float | None]]
    comments: dict[int, list[str]]
    plans: dict[int, PlanDigest] = field(default_factory=dict)


@dataclass(frozen=True)
class CommitmentDetails:
    """One commitment as its details modal shows it."""

    card: ScoreCard
    weekly: list[float | None]
    comments: list[str]
    as_of: datetime
    viewer_locale: str | None = None


def period_start(schedule: str, fire_time: datetime, zone: ZoneInfo) -> datetime:
    """Return the latest time `schedule` fires at or before `fire_time` (aware, UTC)."""
    parsed = parse_schedule(schedule)
    local = fire_time.astimezone(zone)
    for back in range(_LOOKBACK_DAYS):
        day = local.date() - timedelta(days=back)
        matches = (
            day.day == parsed.month_day
            if parsed.month_day is not None
            else day.weekday() in parsed.weekdays
        )
        if not matches:
            continue
        candidate = datetime.combine(day, parsed.at, tzinfo=zone)
        if candidate <= local:
            return candidate.astimezone(fire_time.tzinfo)
    raise ValueError(f"schedule {schedule!r} never fires")


def owners_of(
    commitments: Sequence[CommitmentInfo], service_owners: Mapping[int, Sequence[str]]
) -> dict[str, tuple[int, ...]]:
    """Map each owner to their commitments: named on the commitment or owning its service."""
    result: dict[str, list[int]] = defaultdict(list)
    for commitment in commitments:
        named = list(commitment.owners)
        if commitment.service_id is not None:
            named += service_owners.get(commitment.service_id, ())
        for owner in dict.fromkeys(named):
            result[owner].append(commitment.id)
    return {owner: tuple(ids) for owner, ids in sorted(result.items())}


async def service_owners(session: AsyncSession) -> dict[int, list[str]]:
    """Return the owners of every live service."""
    rows = await session.exec(select(Service).where(col(Service.archived_at).is_(None)))
    return {service.id: list(service.owners) for service in rows.all() if service.id is not None}


async def plan_digests(
    session: AsyncSession,
    *,
    fire_time: datetime,
    zone: ZoneInfo,
    commitments: Sequence[CommitmentInfo],
    owner: str | None = None,
) -> list[OwnerPlan]:
    """Return each owner's current period at `fire_time`, with their commitments."""
    mapping = owners_of(commitments, await service_owners(session))
    if owner is not None:
        mapping = {owner: mapping[owner]} if owner in mapping else {}
    if not mapping:
        return []
    owners = list(mapping)
    schedules = {
        row.user_id: row.schedule
        for row in (
            await session.exec(select(OwnerSchedule).where(col(OwnerSchedule.user_id).in_(owners)))
        ).all()
    }
    people = {
        row.user_id: row
        for row in (await session.exec(select(Person).where(col(Person.user_id).in_(owners)))).all()
    }
    plans: list[OwnerPlan] = []
    for user_id, ids in mapping.items():
        schedule = schedules.get(user_id, DEFAULT_SCHEDULE)
        person = people.get(user_id)
        plans.append(
            OwnerPlan(
                owner=user_id,
                schedule=schedule,
                period_start=period_start(schedule, fire_time, zone),
                commitment_ids=ids,
                locale=person.locale if person else None,
                deactivated=bool(person and (person.deleted or person.is_bot)),
            )
        )
    return plans


async def digest_figures(
    session: AsyncSession,
    *,
    as_of: datetime,
    commitments: Sequence[CommitmentInfo] | None = None,
    email_mask: str = "[e-mail]",
    phone_mask: str = "[téléphone]",
) -> DigestFigures:
    """Compute every commitment's scores, 12-week series and shown comments as of `as_of`."""
    if commitments is None:
        commitments = await load_commitments(session)
    cards = {
        card.commitment.id: card
        for card in await score_cards(session, as_of=as_of, commitments=commitments)
    }
    weekly = await weekly_estimates(session, commitments=commitments, as_of=as_of)
    # Only commitments with enough respondents show comments, so only those are read.
    talkative = [
        c for c in commitments if cards[c.id].current.respondents >= COMMENT_MIN_RESPONDENTS
    ]
    comments = await recent_comments(
        session, commitments=talkative, as_of=as_of, limit=MAX_COMMENTS
    )
    masked = {
        commitment_id: [mask_personal_data(t, email=email_mask, phone=phone_mask) for t in texts]
        for commitment_id, texts in comments.items()
    }
    plans = await digest_plans(session, commitments=commitments, as_of=as_of)
    return DigestFigures(as_of=as_of, cards=cards, weekly=weekly, comments=masked, plans=plans)


async def commitment_details(
    session: AsyncSession,
    *,
    commitment_id: int,
    user_id: str,
    as_of: datetime,
    admins: Collection[str] = (),
    email_mask: str = "[e-mail]",
    phone_mask: str = "[téléphone]",
) -> CommitmentDetails:
    """Return a commitment's figures for one of its owners or an admin; refuse anyone else."""
    commitments = await load_commitments(session, ids=[commitment_id])
    if not commitments:
        raise NotFound(what=f"commitment {commitment_id}")
    owners = owners_of(commitments, await service_owners(session))
    if user_id not in owners and user_id not in admins:
        role = await session.get(Role, (user_id, "admin"))
        if role is None:
            raise NotAllowed(f"{user_id} does not own commitment {commitment_id}")
    figures = await digest_figures(
        session,
        as_of=as_of,
        commitments=commitments,
        email_mask=email_mask,
        phone_mask=phone_mask,
    )
    viewer = await session.get(Person, user_id)
    return CommitmentDetails(
        card=figures.cards[commitment_id],
        weekly=figures.weekly.get(commitment_id, []),
        comments=figures.comments.get(commitment_id, []),
        as_of=as_of,
        viewer_locale=viewer.locale if viewer else None,
    )
