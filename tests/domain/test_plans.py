"""Plans: the form's checks, one open plan per commitment, done and dropped, with history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.charter_admin import FieldErrors
from domain.plan_views import PlanDetails, list_plans, plan_details, plan_entry
from domain.plans import (
    ActionsStillOpen,
    BadReference,
    PlanAlreadyOpen,
    PlanClosed,
    ReasonNeeded,
    open_plan,
    parse_reference,
    update_plan,
)
from domain.roles import Caller, OwnersOnly
from storage.engine import Database
from storage.tables import ActionPlan, PlanStatus
from tests.domain.plan_fixtures import CARRIER, OWNER, ZONE, form, opened, owner_of, seed, stranger
from tests.domain.score_fixtures import AS_OF

TODAY = AS_OF.date().isoformat()


def test_references_name_a_plan_or_one_of_its_actions() -> None:
    assert parse_reference("12") == (12, None)
    assert parse_reference("#12.3") == (12, 3)
    with pytest.raises(BadReference):
        parse_reference("douze")


async def test_the_form_is_checked_field_by_field(database: Database) -> None:
    seeded = await seed(database)
    yesterday = (AS_OF - timedelta(days=1)).date().isoformat()
    bad = form(("", CARRIER, TODAY), ("Appeler", "", yesterday), ("Former", "bob", "demain"))
    async with database.begin() as session:
        with pytest.raises(FieldErrors) as refused:
            await open_plan(
                session,
                caller=owner_of(seeded),
                commitment_id=seeded.commitment_ids[0],
                form=bad,
                now=AS_OF,
                zone=ZONE,
            )
    assert {name: key for name, (key, _) in refused.value.problems.items()} == {
        "action1_text": "plan.field.required",
        "action2_carrier": "plan.field.required",
        "action2_due": "plan.field.past_date",
        "action3_carrier": "plan.field.bad_user",
        "action3_due": "plan.field.bad_date",
    }
    async with database.begin() as session:
        with pytest.raises(FieldErrors) as empty:
            await open_plan(
                session,
                caller=owner_of(seeded),
                commitment_id=seeded.commitment_ids[0],
                form=form(summary=" "),
                now=AS_OF,
                zone=ZONE,
            )
    assert set(empty.value.problems) == {"summary"}


async def test_owners_open_one_plan_per_commitment_and_strangers_none(database: Database) -> None:
    seeded = await seed(database)
    plan_id = await opened(database, seeded)
    async with database.begin() as session:
        with pytest.raises(PlanAlreadyOpen):
            await open_plan(
                session,
                caller=owner_of(seeded),
                commitment_id=seeded.commitment_ids[0],
                form=form(("Autre", CARRIER, TODAY)),
                now=AS_OF,
                zone=ZONE,
            )
    async with database.begin() as session:
        with pytest.raises(OwnersOnly):
            await plan_entry(
                session, caller=stranger(), now=AS_OF, commitment_id=seeded.commitment_ids[0]
            )
        with pytest.raises(OwnersOnly):
            await update_plan(
                session,
                caller=stranger(),
                plan_id=plan_id,
                position=None,
                done=True,
                reason=None,
                now=AS_OF,
            )
        entry = await plan_entry(session, caller=owner_of(seeded), now=AS_OF, code="csat")
        listed = await list_plans(session, caller=owner_of(seeded), code=None, now=AS_OF)
        row = await session.get_one(ActionPlan, plan_id)
    assert isinstance(entry, PlanDetails)
    assert entry.plan.id == plan_id
    assert [p.id for p in listed] == [plan_id]
    assert listed[0].actions_live == 2
    assert row.window_days == 30


async def test_actions_then_the_plan_are_done_or_dropped_with_a_history(
    database: Database,
) -> None:
    seeded = await seed(database)
    plan_id = await opened(database, seeded)
    owner = owner_of(seeded)
    carrier = Caller(user_id=CARRIER, locale="fr")

    async def change(caller: Caller, position: int | None, *, done: bool, reason: str | None):
        async with database.begin() as session:
            return await update_plan(
                session,
                caller=caller,
                plan_id=plan_id,
                position=position,
                done=done,
                reason=reason,
                now=AS_OF + timedelta(days=1),
            )

    with pytest.raises(ActionsStillOpen):
        await change(owner, None, done=True, reason=None)
    done = await change(carrier, 1, done=True, reason=None)
    assert (done.status, done.code) == (PlanStatus.DONE, "CSAT")
    with pytest.raises(PlanClosed):
        await change(carrier, 1, done=True, reason=None)
    with pytest.raises(OwnersOnly):  # a carrier reports their action, not someone else's
        await change(carrier, 2, done=True, reason=None)
    with pytest.raises(ReasonNeeded):
        await change(owner, 2, done=False, reason=" ")
    await change(owner, 2, done=False, reason="Plus de budget formation")
    await change(owner, None, done=True, reason=None)
    async with database.begin() as session:
        details = await plan_details(
            session, caller=owner, plan_id=plan_id, now=AS_OF + timedelta(days=2)
        )
    assert details.plan.status == PlanStatus.DONE
    assert [a.status for a in details.plan.actions] == [PlanStatus.DONE, PlanStatus.DROPPED]
    assert [e.action for e in details.history] == [
        "plan.open",
        "plan.action_done",
        "plan.action_dropped",
        "plan.done",
    ]
    assert [e.actor for e in details.history] == [OWNER, CARRIER, OWNER, OWNER]
    assert details.effect is not None


async def test_dropping_a_plan_drops_its_open_actions(database: Database) -> None:
    seeded = await seed(database)
    plan_id = await opened(database, seeded)
    async with database.begin() as session:
        await update_plan(
            session,
            caller=owner_of(seeded),
            plan_id=plan_id,
            position=None,
            done=False,
            reason="Réorganisation du service",
            now=AS_OF,
        )
        details = await plan_details(session, caller=owner_of(seeded), plan_id=plan_id, now=AS_OF)
    assert details.plan.reason == "Réorganisation du service"
    assert {a.status for a in details.plan.actions} == {PlanStatus.DROPPED}
    # A dropped plan leaves room for a new one.
    assert await opened(database, seeded) != plan_id
