"""Closing the loop: breach, plan, reminder, escalation, done, before/after, the note."""

from __future__ import annotations

import json

from sqlmodel import select

from bot.sandbox import Sandbox
from scheduler.alerts import evaluate_alerts
from scheduler.digests import run_digests
from scheduler.plans import deliver_notes, run_escalations, run_plan_reminders
from storage.tables import PlanNote
from tests.scenarios.admin_support import (
    ADMIN,
    ADMIN_EN,
    SI_OWNER,
    admin_bot,
    command,
    open_form,
    submit,
    top_text,
)
from tests.scenarios.conftest import ENGLISH, Stack
from tests.scenarios.plan_support import (
    age_breaches,
    age_pulses,
    answer,
    erase_link,
    seed_rh_breach,
)

CONTRIBUTORS = [f"U0AGENT{i:02d}" for i in range(1, 10)] + [ENGLISH.id]
OPTED_OUT, UNLINKED, RECENT = "U0AGENT02", "U0AGENT03", "U0AGENT04"
LATER = [f"U0AGENT{i:02d}" for i in range(11, 16)]
CARRIER = "U0AGENT20"
RH_OWNER = "U0RH0QUAL"
QUALITY = "C0QUALITY"


def _text(message) -> str:
    return f"{message.text}\n{json.dumps(message.blocks, ensure_ascii=False)}"


async def test_the_loop_from_breach_to_the_note_to_contributors(
    stack: Stack, sandbox: Sandbox
) -> None:
    sandbox.add_channel(QUALITY, "qualite")
    async with admin_bot(stack, sandbox, quality_channel=QUALITY) as instance:
        deps = instance.deps
        today = deps.now().astimezone(deps.settings.zone).date().isoformat()
        await evaluate_alerts(deps)  # SI-01 seen without answers: its alert is armed
        await answer(stack, sandbox, CONTRIBUTORS, best=False, tag="before")
        await seed_rh_breach(stack, deps.now())
        report = await evaluate_alerts(deps)
        assert ("SI-01", SI_OWNER) in report.sent

        # The alert's button opens the plan form; wrong fields are answered inline.
        owner = sandbox.agent(SI_OWNER)
        alert = next(m for m in sandbox.messages(SI_OWNER) if "Alerte" in m.text)
        await owner.click(alert, action_id="plan.open")
        await stack.until(lambda: bool(sandbox.views_for(SI_OWNER)))
        assert sandbox.views_for(SI_OWNER)[-1].title == "Plan d'action"
        values = {
            "summary": "Une astreinte couvre la pause de midi.",
            "action1_text": "Organiser l'astreinte du midi",
            "action1_carrier": CARRIER,
            "action1_due": "2020-01-01",
        }
        wrong = await submit(sandbox, SI_OWNER, values)
        assert wrong.ack is not None
        assert "passée" in wrong.ack["errors"]["action1_due"]
        done = await submit(sandbox, SI_OWNER, {**values, "action1_due": today})
        assert done.ack is not None
        assert "Plan d'action n°1 ouvert pour SI-01" in top_text(sandbox, SI_OWNER)

        # The same button now shows the plan under way; so does `/ecoute plans`.
        await owner.click(alert, action_id="plan.open")
        await stack.until(lambda: sandbox.views_for(SI_OWNER)[-1].title == "Plan n°1")
        listed = await command(stack, sandbox, SI_OWNER, "plans")
        assert "n°1* · SI-01" in listed
        assert "0/1 action(s)" in listed

        # The carrier is reminded once, on the due date, and reports the action done.
        assert (await run_plan_reminders(deps)).reminders == 1
        assert (await run_plan_reminders(deps)).reminders == 0
        carrier = sandbox.agent(CARRIER)
        reminder = carrier.latest_message()
        assert "Organiser l'astreinte du midi" in _text(reminder)
        await carrier.click(reminder, action_id="plan.action_done")
        await stack.until(lambda: "Action 1.1" in carrier.latest_message().text)

        # Fourteen days breached: RH-01 (no plan) goes to the quality team, SI-01 does not.
        assert await run_escalations(deps) == 0
        await age_breaches(stack, days=15)
        assert await run_escalations(deps) == 1
        assert await run_escalations(deps) == 0
        [escalation] = sandbox.messages(QUALITY)
        assert "RH-01" in _text(escalation)
        assert "<@U0RH0QUAL>" in _text(escalation)

        # The owner closes the plan; people answer again; the digest shows before and after.
        closed = await command(stack, sandbox, SI_OWNER, "plan done 1")
        assert "Plan n°1 (SI-01) terminé" in closed
        await answer(stack, sandbox, LATER, best=True, tag="after")
        await run_digests(deps, fire_time=deps.now(), owner=SI_OWNER, force=True)
        digest = next(
            m
            for m in reversed(sandbox.messages(SI_OWNER))
            if (m.metadata or {}).get("event_type") == "ecoute_digest"
        )
        assert "Plan n°1 terminé" in _text(digest)
        assert "avant le plan 0\u202f% (10 répondants) → après 100\u202f% (5 répondants)" in (
            _text(digest)
        )

        # "Vous avez dit, nous avons fait": only the reachable ones, outside the cooldown.
        await command(stack, sandbox, OPTED_OUT, "optout")
        await erase_link(stack, UNLINKED)
        await age_pulses(stack, [u for u in CONTRIBUTORS if u != RECENT], days=10)
        await open_form(stack, sandbox, SI_OWNER, "plan note 1")
        preview = await submit(
            sandbox,
            SI_OWNER,
            {"text": "Une astreinte couvre désormais midi.", "text_en": "Lunchtime is covered."},
        )
        assert preview.ack is not None
        assert preview.ack["response_action"] == "update"
        shown = top_text(sandbox, SI_OWNER)
        assert "7 personne(s)" in shown
        assert "1 écartée(s)" in shown
        assert "2 injoignable(s)" in shown
        assert "Lunchtime is covered." in shown
        await submit(sandbox, SI_OWNER, {})
        assert "C'est parti pour 7 personne(s)" in top_text(sandbox, SI_OWNER)
        assert await deliver_notes(deps) == 7
        shown_plan = await command(stack, sandbox, SI_OWNER, "plan show 1")
        async with deps.database.begin() as session:
            links = {row.recipient for row in (await session.exec(select(PlanNote))).all()}
    reached = {u for u in CONTRIBUTORS if u not in (OPTED_OUT, UNLINKED, RECENT)}
    for user in CONTRIBUTORS:
        notes = [m for m in sandbox.messages(user) if "nous avons fait" in m.text.lower()]
        notes += [m for m in sandbox.messages(user) if "you said, we did" in m.text.lower()]
        assert len(notes) == (1 if user in reached else 0), user
    english = sandbox.messages(ENGLISH.id)[-1]
    assert "Lunchtime is covered." in _text(english)
    assert "Blocking incident handled within the day" in _text(english)
    assert "7 destinataire(s), 7 reçu(s)" in shown_plan
    assert links == {None}  # delivered notes keep no identity link
    assert not [m for m in sandbox.messages(ADMIN.id) if "RH-01" in m.text]


async def test_without_a_quality_channel_each_admin_hears_in_their_language(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with admin_bot(stack, sandbox) as instance:
        deps = instance.deps
        await seed_rh_breach(stack, deps.now())
        await run_escalations(deps)
        await age_breaches(stack, days=deps.settings.escalation_days)
        assert await run_escalations(deps) == 2
        french = _text(sandbox.messages(ADMIN.id)[-1])
        english = _text(sandbox.messages(ADMIN_EN.id)[-1])
        # The admin opens the plan from the escalation; the owner finds it on their Home tab.
        admin = sandbox.agent(ADMIN.id)
        await admin.click(sandbox.messages(ADMIN.id)[-1], action_id="plan.open")
        await stack.until(lambda: bool(sandbox.views_for(ADMIN.id)))
        await sandbox.agent(RH_OWNER).open_home()
        await stack.until(lambda: sandbox.home(RH_OWNER) is not None)
        home = json.dumps(sandbox.home(RH_OWNER), ensure_ascii=False)
    assert "RH-01" in french
    assert "aucun plan d'action en cours" in french
    assert "has no action plan in progress" in english
    assert sandbox.views_for(ADMIN.id)[-1].title == "Plan d'action"
    assert '"action_id": "plan.open"' in home
