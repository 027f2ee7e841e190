"""A commitment with answers from known people, owners and carriers, for the plan tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import col

from domain.plans import ActionDraft, PlanForm, open_plan
from domain.roles import Caller
from storage.engine import Database
from storage.tables import Pulse
from tests.domain.score_fixtures import (
    AS_OF,
    AnswerRow,
    CommitmentSpec,
    PulseRow,
    Seeded,
    add_pulses,
    seed_charter,
)

ZONE = ZoneInfo("Europe/Paris")
CHARTER = (
    CommitmentSpec(
        "CSAT", "csat", 80.0, ("rating_5", "text"), min_responses=5, owners=("UOWNER1",)
    ),
    CommitmentSpec("NPS", "nps", 0.0, ("nps_10",), min_responses=5, owners=("UOTHER",)),
)
OWNER = "UOWNER1"
CARRIER = "UCARRIER1"


def owner_of(seeded: Seeded, user_id: str = OWNER) -> Caller:
    """Return the CSAT owner as a caller."""
    return Caller(
        user_id=user_id, locale="fr", owner=True, owned=frozenset({seeded.commitment_ids[0]})
    )


def stranger() -> Caller:
    """Return an agent who owns nothing."""
    return Caller(user_id="USTRANGER", locale="fr")


async def seed(database: Database) -> Seeded:
    """Create the two commitments (CSAT, NPS) of one service."""
    return await seed_charter(database, CHARTER)


async def answered(
    database: Database,
    seeded: Seeded,
    people: Sequence[tuple[str, str | None]],
    *,
    value: int,
    at: datetime,
    commitment: int = 0,
    sent_at: datetime | None = None,
) -> None:
    """Store one answered pulse per (pseudonym, user id or None when the link is erased)."""
    rows = [
        PulseRow(commitment, respondent, "answered", sent_at or at, (AnswerRow(0, value, at),))
        for respondent, _ in people
    ]
    await add_pulses(database, seeded, rows)
    async with database.begin() as session:
        for respondent, user_id in people:
            await session.exec(
                update(Pulse)
                .where(col(Pulse.respondent) == respondent)
                .values(recipient=user_id, locale="fr", closed_at=at)
            )


def form(*actions: tuple[str, str, str], summary: str = "Rappeler sous 2 h") -> PlanForm:
    """Return a plan form with these (text, carrier, YYYY-MM-DD) actions."""
    return PlanForm(summary=summary, actions=tuple(ActionDraft(*a) for a in actions))


async def opened(
    database: Database, seeded: Seeded, *, at: datetime = AS_OF, due: timedelta = timedelta(0)
) -> int:
    """Open a CSAT plan with two actions carried by CARRIER; return its number."""
    day = (at + due).date().isoformat()
    async with database.begin() as session:
        change = await open_plan(
            session,
            caller=owner_of(seeded),
            commitment_id=seeded.commitment_ids[0],
            form=form(("Astreinte le midi", CARRIER, day), ("Former l'équipe", OWNER, day)),
            now=at,
            zone=ZONE,
        )
    return change.plan_id
