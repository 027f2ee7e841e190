"""Simulated people: signed, Slack-shaped requests to the bot's request URL."""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp
import pytest
from sandbox_helpers import ALICE, BOB, BotStub, button, pulse_blocks
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Sandbox, SandboxError


def comment_modal() -> dict[str, Any]:
    """Return a modal with a text input, a menu and an optional date."""
    return {
        "type": "modal",
        "callback_id": "comment",
        "private_metadata": "pulse=42",
        "title": {"type": "plain_text", "text": "Commentaire"},
        "submit": {"type": "plain_text", "text": "Envoyer"},
        "blocks": [
            {
                "type": "input",
                "block_id": "comment",
                "label": {"type": "plain_text", "text": "Votre avis"},
                "element": {"type": "plain_text_input", "action_id": "text", "max_length": 20},
            },
            {
                "type": "input",
                "block_id": "service",
                "label": {"type": "plain_text", "text": "Service"},
                "element": {
                    "type": "static_select",
                    "action_id": "pick",
                    "options": [
                        {"text": {"type": "plain_text", "text": "RH"}, "value": "hr"},
                        {"text": {"type": "plain_text", "text": "Informatique"}, "value": "it"},
                    ],
                },
            },
            {
                "type": "input",
                "block_id": "when",
                "optional": True,
                "label": {"type": "plain_text", "text": "Quand"},
                "element": {"type": "datepicker", "action_id": "date"},
            },
        ],
    }


async def _open_modal(sandbox: Sandbox, client: AsyncWebClient) -> str:
    trigger = sandbox.views.issue_trigger(ALICE.id)
    return str((await client.views_open(trigger_id=trigger, view=comment_modal()))["view"]["id"])


async def test_click_sends_a_signed_slack_shaped_block_actions(
    sandbox: Sandbox, client: AsyncWebClient, bot: BotStub
) -> None:
    metadata = {"event_type": "pulse", "event_payload": {"id": 1}}
    await client.chat_postMessage(
        channel=ALICE.id, text="Q", blocks=pulse_blocks(), metadata=metadata
    )
    result = await sandbox.agent(ALICE.id).click(action_id="answer_4")
    assert result.status == 200
    assert result.elapsed < 3
    [payload] = bot.received
    [message] = sandbox.messages(ALICE.id)
    assert payload["type"] == "block_actions"
    assert payload["user"] == {
        "id": ALICE.id,
        "username": "alice",
        "name": "alice",
        "team_id": "T0ECOUTE",
    }
    assert payload["api_app_id"] == "A0ECOUTE"
    assert payload["team"]["id"] == "T0ECOUTE"
    assert payload["enterprise"] is None
    assert payload["container"] == {
        "type": "message",
        "message_ts": message.ts,
        "channel_id": message.channel,
        "is_ephemeral": False,
    }
    assert payload["channel"]["id"] == message.channel
    assert payload["message"]["ts"] == message.ts
    assert payload["message"]["blocks"] == pulse_blocks()
    assert "metadata" not in payload["message"]
    assert payload["state"] == {"values": {}}
    [action] = payload["actions"]
    assert action["action_id"] == "answer_4"
    assert action["block_id"] == "answers"
    assert action["value"] == "4"
    assert action["type"] == "button"
    assert action["text"] == {"type": "plain_text", "text": "4"}
    assert float(action["action_ts"]) > 0
    assert payload["response_url"].startswith(sandbox.base_url + "response/")
    assert bot.headers[0]["Content-Type"].startswith("application/x-www-form-urlencoded")


async def test_the_bot_can_answer_through_response_url_and_open_a_modal(
    sandbox: Sandbox, client: AsyncWebClient, bot: BotStub
) -> None:
    await client.chat_postMessage(channel=ALICE.id, text="Q", blocks=pulse_blocks())
    await sandbox.agent(ALICE.id).click(action_id="answer_2", value="2")
    [payload] = bot.received
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            payload["response_url"], json={"replace_original": True, "text": "Merci !"}
        ) as response,
    ):
        assert response.status == 200
    assert sandbox.messages(ALICE.id)[0].text == "Merci !"
    await client.views_open(trigger_id=payload["trigger_id"], view=comment_modal())
    assert len(sandbox.views_for(ALICE.id)) == 1


async def test_click_refuses_buttons_that_do_not_exist(
    sandbox: Sandbox, client: AsyncWebClient, bot: BotStub
) -> None:
    agent = sandbox.agent(ALICE.id)
    with pytest.raises(SandboxError, match="no message"):
        await agent.click(action_id="answer_1")
    blocks = [
        *pulse_blocks(),
        {"type": "actions", "block_id": "again", "elements": [button("answer_1", "1", "x")]},
    ]
    await client.chat_postMessage(channel=ALICE.id, text="Q", blocks=blocks)
    with pytest.raises(SandboxError, match="no button with action_id='answer_9'"):
        await agent.click(action_id="answer_9")
    with pytest.raises(SandboxError, match="2 elements match"):
        await agent.click(action_id="answer_1")
    await agent.click(action_id="answer_1", block_id="again")
    assert bot.received[0]["actions"][0]["value"] == "x"
    with pytest.raises(SandboxError, match="no human member"):
        sandbox.agent("U0NOBODY")


async def test_select_sends_the_option_and_the_state(
    sandbox: Sandbox, client: AsyncWebClient, bot: BotStub
) -> None:
    menu = {
        "type": "static_select",
        "action_id": "service",
        "placeholder": {"type": "plain_text", "text": "Service"},
        "options": comment_modal()["blocks"][1]["element"]["options"],
    }
    blocks = [{"type": "actions", "block_id": "pick", "elements": [menu]}]
    await client.chat_postMessage(channel=BOB.id, text="Service ?", blocks=blocks)
    await sandbox.agent(BOB.id).select(action_id="service", value="it")
    [payload] = bot.received
    chosen = {"text": {"type": "plain_text", "text": "Informatique"}, "value": "it"}
    assert payload["actions"][0]["selected_option"] == chosen
    assert payload["state"]["values"]["pick"]["service"] == {
        "type": "static_select",
        "selected_option": chosen,
    }
    with pytest.raises(SandboxError, match="no option with value 'xx'"):
        await sandbox.agent(BOB.id).select(action_id="service", value="xx")


async def test_submit_view_shapes_state_like_slack(
    sandbox: Sandbox, client: AsyncWebClient, bot: BotStub
) -> None:
    view_id = await _open_modal(sandbox, client)
    values = {"comment": {"text": "Très bien"}, "service": {"pick": "hr"}}
    result = await sandbox.agent(ALICE.id).submit_view(values=values)
    assert result.status == 200
    [payload] = bot.received
    assert payload["type"] == "view_submission"
    view = payload["view"]
    assert view["id"] == view_id
    assert view["callback_id"] == "comment"
    assert view["private_metadata"] == "pulse=42"
    assert view["state"]["values"] == {
        "comment": {"text": {"type": "plain_text_input", "value": "Très bien"}},
        "service": {
            "pick": {
                "type": "static_select",
                "selected_option": {"text": {"type": "plain_text", "text": "RH"}, "value": "hr"},
            }
        },
        "when": {"date": {"type": "datepicker", "selected_date": None}},
    }
    assert payload["trigger_id"]
    assert sandbox.views_for(ALICE.id) == []  # an empty ack closes the modal


async def test_submit_view_applies_response_actions(
    sandbox: Sandbox, client: AsyncWebClient, bot: BotStub
) -> None:
    await _open_modal(sandbox, client)
    agent = sandbox.agent(ALICE.id)
    values = {"comment": {"text": "ok"}, "service": {"pick": "it"}}
    bot.reply = json.dumps({"response_action": "errors", "errors": {"comment": "Trop court"}})
    result = await agent.submit_view(values=values)
    assert result.ack == {"response_action": "errors", "errors": {"comment": "Trop court"}}
    assert len(sandbox.views_for(ALICE.id)) == 1
    assert sandbox.violations == []

    thanks = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Merci"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Merci !"}}],
    }
    bot.reply = json.dumps({"response_action": "update", "view": thanks})
    await agent.submit_view(values=values)
    [top] = sandbox.views_for(ALICE.id)
    assert top.title == "Merci"

    bot.reply = json.dumps({"response_action": "clear"})
    await agent.submit_view()
    assert sandbox.views_for(ALICE.id) == []


async def test_bad_view_submission_acks_are_violations(
    sandbox: Sandbox, client: AsyncWebClient, bot: BotStub
) -> None:
    await _open_modal(sandbox, client)
    agent = sandbox.agent(ALICE.id)
    values = {"comment": {"text": "ok"}, "service": {"pick": "it"}}
    bot.reply = json.dumps({"response_action": "errors", "errors": {"nope": "x"}})
    await agent.submit_view(values=values)
    bot.reply = "merci"
    await agent.submit_view(values=values)
    assert [(v.method, v.path) for v in sandbox.violations] == [
        ("view_submission.ack", "errors.nope"),
        ("view_submission.ack", "body"),
    ]


async def test_submit_view_refuses_what_slack_would_not_send(
    sandbox: Sandbox, client: AsyncWebClient, bot: BotStub
) -> None:
    agent = sandbox.agent(ALICE.id)
    with pytest.raises(SandboxError, match="no such open modal"):
        await agent.submit_view()
    await _open_modal(sandbox, client)
    with pytest.raises(SandboxError, match="required input service is empty"):
        await agent.submit_view(values={"comment": {"text": "ok"}})
    with pytest.raises(SandboxError, match=r"21 chars outside 0\.\.20"):
        await agent.submit_view(values={"comment": {"text": "x" * 21}, "service": {"pick": "it"}})
    with pytest.raises(SandboxError, match=r"no input nope\.x"):
        await agent.submit_view(values={"nope": {"x": "1"}})
    assert bot.received == []


async def test_slash_command_sends_slacks_form_fields_and_shows_the_ack(
    sandbox: Sandbox, bot: BotStub
) -> None:
    bot.reply = json.dumps({"text": "Aide", "blocks": pulse_blocks()})
    result = await sandbox.agent(ALICE.id).slash("/ecoute", "aide")
    assert result.status == 200
    [form] = bot.received
    assert set(form) == {
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    }
    assert (form["command"], form["text"], form["user_id"]) == ("/ecoute", "aide", ALICE.id)
    assert form["channel_id"] == sandbox.dm_channel(ALICE.id)
    [shown] = sandbox.ephemerals(ALICE.id)
    assert shown["text"] == "Aide"
    bot.reply = json.dumps(
        {"blocks": [{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}]}
    )
    await sandbox.agent(ALICE.id).slash("/ecoute")
    assert {v.path for v in sandbox.violations} == {"text", "blocks[0].text.type"}


async def test_open_home_sends_app_home_opened(
    sandbox: Sandbox, client: AsyncWebClient, bot: BotStub
) -> None:
    agent = sandbox.agent(ALICE.id)
    await agent.open_home()
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    await client.views_publish(user_id=ALICE.id, view=home)
    await agent.open_home()
    first, second = bot.received
    assert first["type"] == "event_callback"
    assert first["event"]["type"] == "app_home_opened"
    assert first["event"]["user"] == ALICE.id
    assert first["event"]["tab"] == "home"
    assert "view" not in first["event"]
    assert second["event"]["view"]["type"] == "home"
    assert first["event_id"] != second["event_id"]
    assert first["authorizations"][0]["user_id"] == "U0ECOUTEBOT"
    assert bot.headers[0]["Content-Type"] == "application/json"


async def test_events_can_be_redelivered_as_slack_retries(sandbox: Sandbox, bot: BotStub) -> None:
    agent = sandbox.agent(BOB.id)
    event = {"type": "app_home_opened", "user": BOB.id, "channel": agent.dm_channel, "tab": "home"}
    await agent.send_event(event, event_id="Ev0SAME")
    await agent.send_event(event, event_id="Ev0SAME", retry_num=1, retry_reason="http_timeout")
    assert [p["event_id"] for p in bot.received] == ["Ev0SAME", "Ev0SAME"]
    assert "X-Slack-Retry-Num" not in bot.headers[0]
    assert bot.headers[1]["X-Slack-Retry-Num"] == "1"
    assert bot.headers[1]["X-Slack-Retry-Reason"] == "http_timeout"


async def test_forged_and_stale_requests_are_rejected_by_a_verifying_bot(
    sandbox: Sandbox, bot: BotStub
) -> None:
    agent = sandbox.agent(ALICE.id)
    body = b'{"type": "event_callback"}'
    assert (await agent.sign_and_post(body, "application/json")).status == 200
    forged = await agent.sign_and_post(body, "application/json", secret="not-the-secret")
    assert forged.status == 401
    stale = await agent.sign_and_post(body, "application/json", timestamp=int(time.time()) - 301)
    assert stale.status == 401
    tampered = await agent.sign_and_post(body, "application/json", signature="v0=" + "0" * 64)
    assert tampered.status == 401
    assert len(bot.received) == 1


async def test_a_slow_ack_is_a_violation(sandbox: Sandbox, bot: BotStub) -> None:
    agent = sandbox.agent(ALICE.id)
    agent.ack_deadline = 0.05
    bot.delay = 0.1
    await agent.open_home()
    [violation] = sandbox.violations
    assert violation.method == "ack"
    assert "> 0.05 s" in violation.message


async def test_agents_need_an_events_url(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError, match="events_url"):
        await sandbox.agent(ALICE.id).open_home()


async def test_click_in_a_home_tab_or_modal_has_a_view_container(
    sandbox: Sandbox, client: AsyncWebClient, bot: BotStub
) -> None:
    agent = sandbox.agent(ALICE.id)
    with pytest.raises(SandboxError, match="no Home tab"):
        await agent.click_in_view(action_id="settings", home=True)
    home = {
        "type": "home",
        "blocks": [{"type": "actions", "elements": [button("settings", "Réglages", "s")]}],
    }
    published = (await client.views_publish(user_id=ALICE.id, view=home))["view"]
    await agent.click_in_view(action_id="settings", home=True)
    [payload] = bot.received
    assert payload["type"] == "block_actions"
    assert payload["container"] == {"type": "view", "view_id": published["id"]}
    assert payload["view"]["type"] == "home"
    assert payload["actions"][0]["value"] == "s"
    assert "response_url" not in payload
    view_id = await _open_modal(sandbox, client)
    with pytest.raises(SandboxError, match=f"in view {view_id}"):
        await agent.click_in_view(action_id="settings")
