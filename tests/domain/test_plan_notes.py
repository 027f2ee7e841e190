"""The note to contributors: only reachable people, the contact budget, five at least, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from domain.contact import last_contact
from domain.plan_notes import (
    NoteAlreadySent,
    NoteNotReady,
    NoteTooFew,
    claim_notes,
    preview_note,
    send_note,
    settle_note,
)
from domain.plans import update_plan
from domain.subject_rights import erase_person
from storage.engine import Database
from storage.tables import AuditEntry, Person, PlanNote
from tests.domain.plan_fixtures import ZONE, answered, opened, owner_of, seed
from tests.domain.score_fixtures import AS_OF, PulseRow, add_pulses

OPENED = AS_OF - timedelta(days=30)
COOLDOWN = timedelta(days=7)


async def _done_plan(database: Database, seeded) -> int:
    return await _finish(database, seeded, await opened(database, seeded, at=OPENED))


async def _finish(database: Database, seeded, plan_id: int) -> int:
    for position in (1, 2, None):
        async with database.begin() as session:
            await update_plan(
                session,
                caller=owner_of(seeded),
                plan_id=plan_id,
                position=position,
                done=True,
                reason=None,
                now=AS_OF - timedelta(days=1),
            )
    return plan_id


async def _people(database: Database, seeded) -> None:
    """Nine answered before the plan: six reachable, one opted out, one unlinked, one busy."""
    people = [(f"p{i}", f"UP{i}") for i in range(6)]
    people += [("optout", "UOPTOUT"), ("unlinked", None), ("busy", "UBUSY")]
    await answered(database, seeded, people, value=1, at=OPENED - timedelta(days=3))
    await answered(database, seeded, [("after", "UAFTER")], value=1, at=OPENED + timedelta(days=1))
    # "busy" was asked about another commitment three days ago: inside the cooldown.
    await add_pulses(database, seeded, [PulseRow(1, "busy", "expired", AS_OF - timedelta(days=3))])
    async with database.begin() as session:
        session.add(Person(user_id="UP0", locale="en-GB"))
        session.add(Person(user_id="UOPTOUT", opted_out=True))


async def _preview(database: Database, seeded, plan_id: int):
    async with database.begin() as session:
        return await preview_note(
            session,
            caller=owner_of(seeded),
            plan_id=plan_id,
            text="Une astreinte le midi",
            text_en="A lunchtime on-call",
            now=AS_OF,
            cooldown=COOLDOWN,
            default_locale="fr",
        )


async def _send(database: Database, seeded, plan_id: int):
    async with database.begin() as session:
        return await send_note(
            session,
            caller=owner_of(seeded),
            plan_id=plan_id,
            text="Une astreinte le midi",
            text_en="A lunchtime on-call",
            now=AS_OF,
            cooldown=COOLDOWN,
            zone=ZONE,
            default_locale="fr",
        )


async def test_only_reachable_contributors_outside_the_cooldown_receive_it_once(
    database: Database,
) -> None:
    seeded = await seed(database)
    await _people(database, seeded)
    plan_id = await opened(database, seeded, at=OPENED)
    with pytest.raises(NoteNotReady):
        await _preview(database, seeded, plan_id)
    await _finish(database, seeded, plan_id)
    preview = await _preview(database, seeded, plan_id)
    assert (preview.reached, preview.skipped, preview.unreachable) == (6, 1, 2)
    sent = await _send(database, seeded, plan_id)
    assert (sent.reached, sent.plan.note.queued if sent.plan.note else None) == (6, 6)
    with pytest.raises(NoteAlreadySent):
        await _send(database, seeded, plan_id)
    async with database.begin() as session:
        notes = await claim_notes(session, now=AS_OF, limit=50)
        [audit] = (
            await session.exec(select(AuditEntry).where(col(AuditEntry.action) == "plan.note"))
        ).all()
    assert sorted(n.recipient for n in notes) == [f"UP{i}" for i in range(6)]
    by_user = {n.recipient: n for n in notes}
    assert (by_user["UP0"].locale, by_user["UP0"].text) == ("en", "A lunchtime on-call")
    assert (by_user["UP1"].locale, by_user["UP1"].text) == ("fr", "Une astreinte le midi")
    assert audit.after == {
        "text": "Une astreinte le midi",
        "queued": 6,
        "skipped": 1,
        "unreachable": 2,
    }
    async with database.begin() as session:
        for note in notes:
            await settle_note(session, note_id=note.id, now=AS_OF)
    async with database.begin() as session:
        rows = (await session.exec(select(PlanNote))).all()
        contacted = await last_contact(session, respondent="p1")
    assert {row.recipient for row in rows} == {None}  # delivered: the link is forgotten
    assert contacted == AS_OF  # the note spent the contact budget


async def test_fewer_than_five_reachable_people_is_refused(database: Database) -> None:
    seeded = await seed(database)
    await _people(database, seeded)
    plan_id = await _done_plan(database, seeded)
    async with database.begin() as session:
        for user in ("UP1", "UP2"):
            session.add(Person(user_id=user, opted_out=True))
    with pytest.raises(NoteTooFew):
        await _preview(database, seeded, plan_id)


async def test_failures_are_retried_and_later_opt_outs_respected(database: Database) -> None:
    seeded = await seed(database)
    await _people(database, seeded)
    plan_id = await _done_plan(database, seeded)
    await _send(database, seeded, plan_id)
    async with database.begin() as session:
        notes = await claim_notes(session, now=AS_OF, limit=50)
        assert await claim_notes(session, now=AS_OF, limit=50) == []  # leased
        await settle_note(session, note_id=notes[0].id, now=AS_OF, error="ratelimited")
        session.add(Person(user_id=notes[1].recipient, opted_out=True))
    later = AS_OF + timedelta(minutes=10)
    async with database.begin() as session:
        again = await claim_notes(session, now=later, limit=50)
    assert notes[0].recipient in {n.recipient for n in again}
    assert notes[1].recipient not in {n.recipient for n in again}


async def test_erasing_a_person_erases_their_notes(database: Database) -> None:
    seeded = await seed(database)
    await _people(database, seeded)
    plan_id = await _done_plan(database, seeded)
    await _send(database, seeded, plan_id)
    async with database.begin() as session:
        await erase_person(session, user_id="UP1", pseudonymize=lambda _: "p1")
    async with database.begin() as session:
        left = {row.respondent for row in (await session.exec(select(PlanNote))).all()}
    assert "p1" not in left
    assert len(left) == 5
