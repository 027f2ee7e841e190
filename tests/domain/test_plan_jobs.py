"""Carriers reminded once on the due date in working hours; long breaches escalated once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from domain.plan_jobs import claim_due_actions, claim_escalations, quality_team, watch_breaches
from domain.plans import update_plan
from domain.scoring import score_cards
from storage.engine import Database
from storage.tables import Person, Role, Service
from tests.domain.plan_fixtures import CARRIER, ZONE, answered, opened, owner_of, seed
from tests.domain.score_fixtures import AS_OF

SATURDAY = datetime(2026, 3, 7, 10, 0, tzinfo=ZONE)
MONDAY_EARLY = datetime(2026, 3, 9, 7, 0, tzinfo=ZONE)
MONDAY = datetime(2026, 3, 9, 9, 30, tzinfo=ZONE)


async def _due(database: Database, now: datetime) -> list[tuple[int, str]]:
    async with database.begin() as session:
        due = await claim_due_actions(session, now=now, zone=ZONE, default_locale="fr", limit=10)
    return [(d.position, d.carrier) for d in due]


async def test_a_carrier_is_reminded_once_from_the_due_date_in_working_hours(
    database: Database,
) -> None:
    seeded = await seed(database)
    async with database.begin() as session:
        await session.exec(update(Service).values(working_hours="mon-fri 09:00-18:00"))
        session.add(Person(user_id=CARRIER, locale="en-GB", tz="Europe/Paris"))
    await opened(database, seeded, at=AS_OF, due=timedelta(days=5))  # due Saturday 7 March
    assert await _due(database, AS_OF + timedelta(days=4)) == []  # not yet due
    assert await _due(database, SATURDAY) == []  # due, but a weekend
    assert await _due(database, MONDAY_EARLY) == []  # before office hours
    assert sorted(await _due(database, MONDAY)) == [(1, CARRIER), (2, "UOWNER1")]
    assert await _due(database, MONDAY + timedelta(hours=1)) == []  # once


async def test_no_reminder_for_a_done_action_or_a_dropped_plan(database: Database) -> None:
    seeded = await seed(database)
    plan_id = await opened(database, seeded)
    async with database.begin() as session:
        await update_plan(
            session,
            caller=owner_of(seeded),
            plan_id=plan_id,
            position=1,
            done=True,
            reason=None,
            now=AS_OF,
        )
    async with database.begin() as session:
        await update_plan(
            session,
            caller=owner_of(seeded),
            plan_id=plan_id,
            position=None,
            done=False,
            reason="abandon",
            now=AS_OF,
        )
    assert await _due(database, MONDAY) == []


async def _watch(database: Database, now: datetime) -> list[str]:
    async with database.begin() as session:
        cards = await score_cards(session, as_of=now, with_previous=False)
        await watch_breaches(session, cards=cards, now=now)
    async with database.begin() as session:
        claimed = await claim_escalations(session, now=now, after=timedelta(days=14))
    return [e.code for e in claimed]


async def test_a_breach_without_a_plan_is_escalated_once_after_fourteen_days(
    database: Database,
) -> None:
    seeded = await seed(database)
    people = [(f"r{i}", None) for i in range(8)]
    await answered(database, seeded, people, value=1, at=AS_OF - timedelta(days=1))
    nps = [(f"n{i}", None) for i in range(8)]
    await answered(database, seeded, nps, value=0, at=AS_OF - timedelta(days=1), commitment=1)
    assert await _watch(database, AS_OF) == []
    await opened(database, seeded)  # CSAT gets a plan; NPS has none
    assert await _watch(database, AS_OF + timedelta(days=10)) == []
    assert await _watch(database, AS_OF + timedelta(days=14)) == ["NPS"]
    assert await _watch(database, AS_OF + timedelta(days=15)) == []
    async with database.begin() as session:
        team = await quality_team(session, configured=[], default_locale="fr")
    assert team == []


async def test_a_recovery_ends_the_episode(database: Database) -> None:
    seeded = await seed(database)
    await answered(
        database, seeded, [(f"r{i}", None) for i in range(8)], value=0, at=AS_OF, commitment=1
    )
    assert await _watch(database, AS_OF + timedelta(days=1)) == []
    later = AS_OF + timedelta(days=2)
    await answered(
        database, seeded, [(f"g{i}", None) for i in range(40)], value=10, at=later, commitment=1
    )
    assert await _watch(database, later + timedelta(hours=1)) == []  # recovered: no breach
    assert await _watch(database, later + timedelta(days=20)) == []


async def test_the_quality_team_is_every_admin_still_here(database: Database) -> None:
    async with database.begin() as session:
        session.add(Role(user_id="UGRANTED", role="admin", granted_at=AS_OF))
        session.add(Role(user_id="UOWNERONLY", role="owner", granted_at=AS_OF))
        session.add(Role(user_id="UGONE", role="admin", granted_at=AS_OF))
        session.add(Person(user_id="UGONE", deleted=True))
        session.add(Person(user_id="UGRANTED", locale="en-US"))
    async with database.begin() as session:
        team = await quality_team(session, configured=["UCONF", "UGRANTED"], default_locale="fr")
    assert team == [("UCONF", "fr"), ("UGRANTED", "en")]
