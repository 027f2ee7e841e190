"""The pulse loop end to end: intake over HTTP, one DM per interaction, clicks stored."""

from __future__ import annotations

import copy

from sqlmodel import col, select

from bot.sandbox import Sandbox
from storage.engine import open_database
from storage.tables import Answer, Comment, Pulse
from tests.scenarios.conftest import ENGLISH, GONE, Stack, interaction


def _answer_buttons(message) -> list[dict]:
    return [
        element
        for block in message.blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"].startswith("pulse.answer.")
    ]


async def _rows(stack: Stack, model, *where):
    database = open_database(stack.database_url)
    try:
        async with database.begin() as session:
            return list((await session.exec(select(model).where(*where))).all())
    finally:
        await database.dispose()


async def test_each_interaction_gives_exactly_one_pulse(stack: Stack, sandbox: Sandbox) -> None:
    async with stack.bot():
        payloads = [interaction(f"inc-{i}", f"U0AGENT{i:02d}") for i in range(1, 21)]
        status, body = await stack.post_interactions(payloads)
        assert status == 202
        assert [item["status"] for item in body["interactions"]] == ["accepted"] * 20
        statuses = await stack.until_dispatched()
        assert statuses == {"sent": 20}
        # A replay after dispatch creates nothing and sends nothing.
        status, replay = await stack.post_interactions(payloads[:5])
        assert status == 202
        assert {item["status"] for item in replay["interactions"]} == {"duplicate"}
        await stack.until_dispatched()
    for i in range(1, 21):
        messages = sandbox.messages(f"U0AGENT{i:02d}")
        assert len(messages) == 1
        assert messages[0].metadata is not None
        assert messages[0].metadata["event_type"] == "ecoute_pulse"
    assert await stack.statuses() == {"sent": 20}


async def test_one_click_per_question_then_thanks_and_comment(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with stack.bot():
        await stack.post_interactions([interaction("inc-1", "U0AGENT01")])
        await stack.until_dispatched()
        agent = sandbox.agent("U0AGENT01")
        first = agent.latest_message()
        assert "Informatique" in first.blocks[0]["text"]["text"]
        assert "INC-inc-1" in first.blocks[0]["text"]["text"]
        faces = _answer_buttons(first)
        assert [b["text"]["text"] for b in faces] == ["😞 1", "🙁 2", "😐 3", "🙂 4", "😀 5"]
        delivery = await agent.click(
            first, action_id=faces[3]["action_id"], value=faces[3]["value"]
        )
        assert delivery.status == 200
        assert delivery.elapsed < 3.0
        await stack.until(lambda: "Oui" in str(agent.latest_message().blocks))
        second = agent.latest_message()
        assert second.ts == first.ts  # replaced in place through response_url
        yes = _answer_buttons(second)[0]
        await agent.click(second, action_id=yes["action_id"], value=yes["value"])
        await stack.until(lambda: "Merci" in agent.latest_message().text)
        thanks = agent.latest_message()
        await agent.click(thanks, action_id="pulse.comment", value=None)
        await stack.until(lambda: bool(sandbox.views_for("U0AGENT01")))
        modal = sandbox.views_for("U0AGENT01")[-1]
        assert "Un mot pour l'équipe informatique" in str(modal.blocks)
        result = await agent.submit_view(values={"comment": {"text": "Très réactifs, merci."}})
        assert result.status == 200
        await stack.until(lambda: "commentaire" in str(agent.latest_message().blocks))
    answers = await _rows(stack, Answer)
    assert sorted(a.value for a in answers) == [1, 4]
    assert all(a.respondent != "U0AGENT01" and len(a.respondent) == 64 for a in answers)
    comments = await _rows(stack, Comment)
    assert [c.text for c in comments] == ["Très réactifs, merci."]
    assert await stack.statuses() == {"answered": 1}


async def test_double_click_stores_one_answer_and_a_new_click_changes_it(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with stack.bot():
        await stack.post_interactions([interaction("inc-1", "U0AGENT01")])
        await stack.until_dispatched()
        agent = sandbox.agent("U0AGENT01")
        # Slack sends what the person saw: keep the first question as it was before any update.
        message = copy.deepcopy(agent.latest_message())
        buttons = _answer_buttons(message)
        for _ in range(3):
            await agent.click(message, action_id=buttons[1]["action_id"], value=buttons[1]["value"])
        await stack.until(lambda: "Oui" in str(agent.latest_message().blocks))
        answers = await _rows(stack, Answer)
        assert [a.value for a in answers] == [2]
        # The original message still carries the first question's buttons: a new choice changes it.
        await agent.click(message, action_id=buttons[4]["action_id"], value=buttons[4]["value"])

        async def changed() -> bool:
            return [a.value for a in await _rows(stack, Answer)] == [5]

        await stack.until(changed)


async def test_someone_else_clicking_is_refused(stack: Stack, sandbox: Sandbox) -> None:
    async with stack.bot():
        await stack.post_interactions([interaction("inc-1", "U0AGENT01")])
        await stack.until_dispatched()
        message = sandbox.agent("U0AGENT01").latest_message()
        button = _answer_buttons(message)[0]
        intruder = sandbox.agent("U0AGENT02")
        delivery = await intruder.click(
            message, action_id=button["action_id"], value=button["value"]
        )
        assert delivery.status == 200
        await stack.until(lambda: bool(sandbox.ephemerals("U0AGENT02")))
        assert "autre personne" in sandbox.ephemerals("U0AGENT02")[-1]["text"]
    assert await _rows(stack, Answer) == []


async def test_a_closed_pulse_says_so(stack: Stack, sandbox: Sandbox) -> None:
    async with stack.bot() as instance:
        await stack.post_interactions([interaction("inc-1", "U0AGENT01")])
        await stack.until_dispatched()
        async with instance.deps.database.begin() as session:
            pulse = (await session.exec(select(Pulse))).one()
            pulse.expires_at = instance.deps.now()
            session.add(pulse)
        agent = sandbox.agent("U0AGENT01")
        message = agent.latest_message()
        button = _answer_buttons(message)[0]
        await agent.click(message, action_id=button["action_id"], value=button["value"])
        await stack.until(lambda: bool(sandbox.ephemerals("U0AGENT01")))
        assert "clos" in sandbox.ephemerals("U0AGENT01")[-1]["text"]
    assert await _rows(stack, Answer) == []


async def test_email_beneficiaries_resolve_through_the_directory(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with stack.bot():
        await stack.post_interactions(
            [
                interaction("by-email", beneficiary={"email": "AGENT7@finances.gouv.fr"}),
                interaction("unknown", beneficiary={"email": "nobody@finances.gouv.fr"}),
                interaction("departed", GONE.id),
            ]
        )
        statuses = await stack.until_dispatched()
    assert statuses == {"sent": 1, "undeliverable": 2}
    assert len(sandbox.messages("U0AGENT07")) == 1
    methods = [call.method for call in sandbox.calls]
    assert "users.lookupByEmail" not in methods
    assert methods.count("users.list") <= 2
    reasons = {p.reason for p in await _rows(stack, Pulse, col(Pulse.status) == "undeliverable")}
    assert reasons == {"unknown_email", "deactivated_user"}


async def test_pulses_speak_the_recipients_language(stack: Stack, sandbox: Sandbox) -> None:
    async with stack.bot():
        await stack.post_interactions([interaction("en-1", ENGLISH.id)])
        await stack.until_dispatched()
    message = sandbox.messages(ENGLISH.id)[-1]
    assert "Are you satisfied" in str(message.blocks)
    assert "IT" in message.blocks[0]["text"]["text"]
