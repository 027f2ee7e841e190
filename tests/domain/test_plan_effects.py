"""Before and after a plan, on windows of the same length; what the digest says of plans."""

from __future__ import annotations

from datetime import timedelta

from domain.plan_effects import AFTER_DONE, AFTER_OPENED, digest_plans, plan_effect
from domain.plans import update_plan
from domain.tallies import load_commitments
from storage.engine import Database
from storage.tables import PlanStatus
from tests.domain.plan_fixtures import answered, opened, owner_of, seed
from tests.domain.score_fixtures import AS_OF

OPENED = AS_OF - timedelta(days=40)
DONE = AS_OF - timedelta(days=20)


async def _finish(database: Database, seeded, plan_id: int) -> None:
    for position in (1, 2):
        async with database.begin() as session:
            await update_plan(
                session,
                caller=owner_of(seeded),
                plan_id=plan_id,
                position=position,
                done=True,
                reason=None,
                now=DONE,
            )
    async with database.begin() as session:
        await update_plan(
            session,
            caller=owner_of(seeded),
            plan_id=plan_id,
            position=None,
            done=True,
            reason=None,
            now=DONE,
        )


async def test_before_and_after_use_the_plans_window_on_each_side(database: Database) -> None:
    seeded = await seed(database)
    before = [(f"b{i}", f"UB{i}") for i in range(6)]
    await answered(database, seeded, before, value=2, at=OPENED - timedelta(days=5))
    # Answers older than one window before the plan do not count.
    await answered(database, seeded, [("old", None)], value=5, at=OPENED - timedelta(days=31))
    await answered(
        database, seeded, [(f"a{i}", None) for i in range(5)], value=5, at=DONE + timedelta(days=2)
    )
    plan_id = await opened(database, seeded, at=OPENED)
    await _finish(database, seeded, plan_id)
    async with database.begin() as session:
        [csat] = await load_commitments(session, ids=[seeded.commitment_ids[0]])
        effect = await plan_effect(
            session, commitment=csat, opened_at=OPENED, done_at=DONE, window_days=30, as_of=AS_OF
        )
        plans = await digest_plans(session, commitments=[csat], as_of=AS_OF)
        later = await digest_plans(
            session, commitments=[csat], as_of=DONE + timedelta(days=30 + 15)
        )
    assert (effect.before.estimate, effect.before.respondents) == (0.0, 6)
    assert (effect.after.estimate, effect.after.respondents) == (100.0, 5)
    assert effect.basis == AFTER_DONE
    assert effect.after_span.end == AS_OF  # the after-window is still filling
    shown = plans[csat.id]
    assert (shown.status, shown.actions_done, shown.actions_total) == (PlanStatus.DONE, 2, 2)
    assert shown.effect == effect
    assert later == {}  # the after-window is full and two more weeks have passed


async def test_too_few_answers_since_done_fall_back_to_since_opened(database: Database) -> None:
    seeded = await seed(database)
    await answered(database, seeded, [(f"b{i}", None) for i in range(5)], value=1, at=OPENED)
    await answered(
        database,
        seeded,
        [(f"m{i}", None) for i in range(4)],
        value=4,
        at=OPENED + timedelta(days=3),
    )
    await answered(database, seeded, [("late", None)], value=5, at=DONE + timedelta(days=1))
    plan_id = await opened(database, seeded, at=OPENED + timedelta(hours=1))
    await _finish(database, seeded, plan_id)
    async with database.begin() as session:
        [csat] = await load_commitments(session, ids=[seeded.commitment_ids[0]])
        effect = await plan_effect(
            session,
            commitment=csat,
            opened_at=OPENED + timedelta(hours=1),
            done_at=DONE,
            window_days=30,
            as_of=AS_OF,
        )
    assert effect.before.respondents == 5
    assert effect.basis == AFTER_OPENED
    assert (effect.after.estimate, effect.after.respondents) == (100.0, 5)


async def test_an_open_plan_shows_its_progress(database: Database) -> None:
    seeded = await seed(database)
    plan_id = await opened(database, seeded, at=OPENED)
    async with database.begin() as session:
        commitments = await load_commitments(session)
        plans = await digest_plans(session, commitments=commitments, as_of=AS_OF)
    [(commitment_id, shown)] = plans.items()
    assert commitment_id == seeded.commitment_ids[0]
    assert (shown.plan_id, shown.status, shown.effect) == (plan_id, PlanStatus.OPEN, None)
    assert (shown.actions_done, shown.actions_total) == (0, 2)
