"""The App Home tab: an agent's pulses and opt-out, an owner's scoreboard, an admin's console."""

from __future__ import annotations

import json

from sqlmodel import select

from bot.sandbox import Sandbox
from storage.engine import open_database
from storage.tables import Person
from tests.scenarios.admin_support import ADMIN, ADMIN_EN, AGENT, SI_OWNER, admin_bot, command
from tests.scenarios.conftest import Stack, interaction

NNBSP = "\u202f"


def _publishes(sandbox: Sandbox, user: str) -> int:
    return len(
        [
            c
            for c in sandbox.calls
            if c.method == "views.publish" and c.params.get("user_id") == user
        ]
    )


async def _open_home(stack: Stack, sandbox: Sandbox, user: str) -> str:
    before = _publishes(sandbox, user)
    delivery = await sandbox.agent(user).open_home()
    assert delivery.status == 200
    await stack.until(lambda: _publishes(sandbox, user) > before)
    return json.dumps(sandbox.home(user), ensure_ascii=False)


async def _opted_out(stack: Stack, user: str) -> bool:
    database = open_database(stack.database_url)
    try:
        async with database.begin() as session:
            person = (await session.exec(select(Person).where(Person.user_id == user))).one()
            return person.opted_out
    finally:
        await database.dispose()


async def test_an_agent_sees_their_pulses_and_switches_pulses_off_and_on(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with admin_bot(stack, sandbox):
        await stack.post_interactions([interaction("home-1", AGENT)])
        await stack.until_dispatched()
        home = await _open_home(stack, sandbox, AGENT)
        assert "Vos questionnaires en attente : 1" in home
        assert "Informatique" in home
        assert "Vous avez répondu à 0 questionnaire(s)" in home
        assert "Langue : français" in home
        assert "Administration" not in home
        assert "Vos engagements" not in home
        before = _publishes(sandbox, AGENT)
        await sandbox.agent(AGENT).click_in_view(action_id="home.opt_out", home=True)
        await stack.until(lambda: _publishes(sandbox, AGENT) > before)
        assert "Vous ne recevez plus de questionnaires" in str(sandbox.home(AGENT))
        assert await _opted_out(stack, AGENT)
        before = _publishes(sandbox, AGENT)
        await sandbox.agent(AGENT).click_in_view(action_id="home.opt_in", home=True)
        await stack.until(lambda: _publishes(sandbox, AGENT) > before)
    assert not await _opted_out(stack, AGENT)


async def test_slack_retries_of_the_same_event_publish_once(stack: Stack, sandbox: Sandbox) -> None:
    async with admin_bot(stack, sandbox):
        agent = sandbox.agent(AGENT)
        event = {"type": "app_home_opened", "user": AGENT, "channel": agent.dm_channel}
        event["tab"] = "home"
        first = await agent.send_event(event, event_id="Ev0HOME1")
        await stack.until(lambda: _publishes(sandbox, AGENT) == 1)
        for retry in (1, 2):
            again = await agent.send_event(event, event_id="Ev0HOME1", retry_num=retry)
            assert again.status == 200
        messages_tab = await agent.send_event({**event, "tab": "messages"}, event_id="Ev0MSG")
        assert (first.status, messages_tab.status) == (200, 200)
        await _open_home(stack, sandbox, SI_OWNER)  # the bot is done with the events before it
    assert _publishes(sandbox, AGENT) == 1


async def test_an_owner_sees_their_scoreboard_and_next_digest(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with admin_bot(stack, sandbox):
        home = await _open_home(stack, sandbox, SI_OWNER)
    assert "Vos engagements" in home
    assert "SI-01" in home
    assert "RH-01" not in home
    assert "pas assez de réponses" in home
    assert "Prochaine synthèse" in home
    assert "`mon 09:00`" in home
    assert "Administration" not in home


async def test_an_admin_sees_the_charter_figures_and_health_in_their_language(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with admin_bot(stack, sandbox) as instance:
        await stack.post_interactions(
            [interaction("adm-1", "U0AGENT03"), interaction("adm-2", "U0AGENT04")]
        )
        await stack.until_dispatched()
        agent = sandbox.agent("U0AGENT03")
        pulse = agent.latest_message()
        button = next(
            e
            for b in pulse.blocks
            if b["type"] == "actions"
            for e in b["elements"]
            if e["action_id"].startswith("pulse.answer.")
        )
        await agent.click(pulse, action_id=button["action_id"], value=button["value"])
        await stack.until(lambda: _answered(stack))
        await stack.post_interactions(
            [interaction("later", "U0AGENT05", send_after="2099-01-01T00:00:00+00:00")]
        )
        await command(stack, sandbox, ADMIN.id, "pause SI")
        await stack.post_interactions([interaction("waiting", "U0AGENT06")])
        # A real error would come from Slack; the dispatcher's client records the last one.
        instance.deps.slack.stats.last_error = "chat.postMessage: ratelimited"
        french = await _open_home(stack, sandbox, ADMIN.id)
        english = await _open_home(stack, sandbox, ADMIN_EN.id)
        before = len(sandbox.uploaded_files())
        await sandbox.agent(ADMIN.id).click_in_view(action_id="home.charter_export", home=True)
        await stack.until(lambda: len(sandbox.uploaded_files()) > before)
        await sandbox.agent(ADMIN.id).click_in_view(action_id="home.audit", home=True)
        await stack.until(lambda: bool(sandbox.views_for(ADMIN.id)))
        audit = sandbox.views_for(ADMIN.id)[-1]
        await sandbox.agent(ADMIN_EN.id).click_in_view(action_id="home.charter_import", home=True)
        await stack.until(lambda: bool(sandbox.views_for(ADMIN_EN.id)))
    assert "2 service(s), 2 engagement(s), 4 question(s) active(s)" in french
    assert f"Taux de réponse : 50,0{NNBSP}%" in french
    assert "2 envoyé(s) · 1 répondu(s) · 0 en échec" in french
    assert "File d'attente : 1 questionnaire(s) à envoyer, le plus ancien depuis 0 min" in french
    assert "En pause : SI" in french
    assert "chat.postMessage: ratelimited" in french
    assert "Response rate: 50.0%" in english
    assert "Administration" in english
    assert audit.title == "Journal d'audit"
    assert sandbox.views_for(ADMIN_EN.id)[-1].title == "Import the charter"


async def _answered(stack: Stack) -> bool:
    return (await stack.statuses()).get("answered") == 1
