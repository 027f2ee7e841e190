"""Services paused and resumed, digest schedules, stats, the Home's figures, charter import."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.admin_home import claim_event, home_data
from domain.admin_services import (
    list_schedules,
    list_services,
    next_digest,
    schedule_of,
    set_paused,
    set_schedule,
)
from domain.admin_stats import stats_for
from domain.charter import CharterInvalid, dump_charter, read_charter
from domain.charter_admin import FieldErrors, UnknownCode, import_charter, plan_import
from domain.people import set_opt_out
from domain.roles import AdminsOnly, OwnersOnly
from storage.engine import Database
from storage.tables import Interaction, OwnerSchedule, Person, Pulse, PulseStatus
from tests.domain.admin_fixtures import ADMIN, AGENT, NOW, audit_rows, commitment, load, owner

PARIS = ZoneInfo("Europe/Paris")


async def test_pause_and_resume_are_audited_once(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        assert (await set_paused(session, caller=ADMIN, code="si", paused=True, now=NOW)).changed
        assert not (
            await set_paused(session, caller=ADMIN, code="SI", paused=True, now=NOW)
        ).changed
        with pytest.raises(UnknownCode) as unknown:
            await set_paused(session, caller=ADMIN, code="SJ", paused=True, now=NOW)
        assert unknown.value.params["suggestion"] == "SI"
        services = await list_services(session, caller=ADMIN)
    assert [(s.code, s.paused, s.commitments) for s in services] == [
        ("RH", False, 1),
        ("SI", True, 1),
    ]
    assert [e.action for e in await audit_rows(database)] == ["service.pause"]


async def test_owners_set_their_own_schedule_admins_anyone(database: Database) -> None:
    await load(database)
    si_owner = await owner(database)
    async with database.begin() as session:
        await set_schedule(
            session, caller=si_owner, user_id="U0SI0QUAL", schedule="thu  08:30", now=NOW
        )
        with pytest.raises(AdminsOnly):
            await set_schedule(
                session, caller=si_owner, user_id="U0RH0QUAL", schedule="daily 09:00", now=NOW
            )
        with pytest.raises(OwnersOnly):
            await schedule_of(session, caller=AGENT, user_id="U0AGENT01", now=NOW, zone=PARIS)
        with pytest.raises(FieldErrors) as refused:
            await set_schedule(
                session, caller=ADMIN, user_id="U0RH0QUAL", schedule="lundi", now=NOW
            )
        assert refused.value.key == "admin.field.schedule"
        info = await schedule_of(session, caller=si_owner, user_id="U0SI0QUAL", now=NOW, zone=PARIS)
        listed = await list_schedules(session, caller=ADMIN, now=NOW, zone=PARIS)
        row = await session.get(OwnerSchedule, "U0SI0QUAL")
    assert row is not None
    assert row.schedule == "thu 08:30"
    assert info.next_at is not None
    assert info.next_at.astimezone(PARIS).isoformat() == ("2026-03-05T08:30:00+01:00")
    assert [(s.user_id, s.schedule) for s in listed] == [
        ("U0RH0QUAL", "mon 09:00"),
        ("U0SI0QUAL", "thu 08:30"),
    ]
    [entry] = await audit_rows(database)
    assert (entry.action, entry.before, entry.after) == (
        "schedule.set",
        {"schedule": "mon 09:00"},
        {"schedule": "thu 08:30"},
    )


def test_next_digest_handles_month_days_and_today() -> None:
    monday_morning = NOW  # 11:00 in Paris, a Monday
    assert next_digest("mon 12:00", after=monday_morning, zone=PARIS) == NOW + timedelta(hours=1)
    assert next_digest("mon 09:00", after=monday_morning, zone=PARIS) == NOW + timedelta(
        days=7, hours=-2
    )
    monthly = next_digest("1 09:00", after=monday_morning, zone=PARIS)
    assert monthly is not None
    assert monthly.astimezone(PARIS).date().isoformat() == "2026-04-01"


async def test_stats_are_scoped_to_what_the_caller_may_see(database: Database) -> None:
    await load(database)
    si_owner = await owner(database)
    async with database.begin() as session:
        mine = await stats_for(session, caller=si_owner, code=None, now=NOW)
        assert [c.commitment.code for c in mine.cards] == ["SI-01"]
        assert len((await stats_for(session, caller=ADMIN, code=None, now=NOW)).cards) == 2
        assert [
            c.commitment.code
            for c in (await stats_for(session, caller=ADMIN, code="rh", now=NOW)).cards
        ] == ["RH-01"]
        with pytest.raises(OwnersOnly):
            await stats_for(session, caller=si_owner, code="RH-01", now=NOW)
        with pytest.raises(OwnersOnly):
            await stats_for(session, caller=AGENT, code=None, now=NOW)
        with pytest.raises(UnknownCode) as unknown:
            await stats_for(session, caller=ADMIN, code="RH-1", now=NOW)
    assert unknown.value.params["suggestion"] == "RH-01"


async def test_events_are_handled_once(database: Database) -> None:
    async with database.begin() as session:
        assert await claim_event(session, event_id="Ev1", now=NOW)
    async with database.begin() as session:
        assert not await claim_event(session, event_id="Ev1", now=NOW)


async def test_home_figures_by_role(database: Database) -> None:
    await load(database)
    si = await commitment(database, "SI-01")
    async with database.begin() as session:
        for index, status in enumerate(["sent", "answered", "failed", "pending"]):
            interaction = Interaction(
                source="t",
                external_id=str(index),
                payload_hash="h",
                service_id=si.service_id or 0,
                occurred_at=NOW,
                received_at=NOW,
            )
            session.add(interaction)
            await session.flush()
            session.add(
                Pulse(
                    interaction_id=interaction.id or 0,
                    service_id=si.service_id or 0,
                    status=status,
                    recipient="U0AGENT01",
                    commitment_id=si.id,
                    due_at=NOW - timedelta(hours=2),
                    sent_at=NOW - timedelta(days=index),
                    expires_at=NOW + timedelta(days=6),
                    closed_at=NOW if status == PulseStatus.FAILED else None,
                )
            )
        await set_opt_out(session, user_id=AGENT.user_id, opted_out=True)
    async with database.begin() as session:
        agent = await home_data(session, caller=AGENT, now=NOW, zone=PARIS)
        admin = await home_data(session, caller=ADMIN, now=NOW, zone=PARIS)
        person = await session.get(Person, "U0AGENT01")
    assert person is not None
    assert person.opted_out
    assert (agent.owner, agent.admin) == (None, None)
    assert [p.service for p in agent.agent.open_pulses] == ["Informatique"]
    assert (agent.agent.answered, agent.agent.opted_out) == (1, True)
    assert admin.admin is not None
    assert (admin.admin.services, admin.admin.commitments, admin.admin.questions) == (2, 2, 4)
    week = admin.admin.windows[0]
    assert (week.days, week.sent, week.answered, week.failed) == (7, 2, 1, 1)
    assert week.response_rate == 50.0
    assert admin.admin.backlog == 1
    assert admin.admin.oldest_due == NOW - timedelta(hours=2)


async def test_import_is_checked_previewed_then_applied(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        text = dump_charter(await read_charter(session))
    changed = text.replace("threshold: 80", "threshold: 85")
    async with database.begin() as session:
        differences = await plan_import(session, caller=ADMIN, text=changed, now=NOW)
        assert [(d.kind, d.code, d.change, d.fields) for d in differences] == [
            ("commitment", "SI-01", "updated", ("threshold",))
        ]
    assert (await commitment(database, "SI-01")).threshold == 80.0
    async with database.begin() as session:
        with pytest.raises(CharterInvalid) as invalid:
            await plan_import(session, caller=ADMIN, text="version: 2\n", now=NOW)
        assert invalid.value.errors
        await import_charter(session, caller=ADMIN, text=changed, now=NOW)
    assert (await commitment(database, "SI-01")).threshold == 85.0
    [entry] = await audit_rows(database)
    assert entry.after == {
        "changes": [
            {"kind": "commitment", "code": "SI-01", "change": "updated", "fields": ["threshold"]}
        ]
    }
