"""A real Bolt AsyncApp served by aiohttp understands every payload the sandbox sends."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from sandbox_helpers import ALICE, SECRET, TOKEN, pulse_blocks
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Sandbox

MODAL = {
    "type": "modal",
    "callback_id": "comment",
    "title": {"type": "plain_text", "text": "Commentaire"},
    "submit": {"type": "plain_text", "text": "Envoyer"},
    "blocks": [
        {
            "type": "input",
            "block_id": "comment",
            "label": {"type": "plain_text", "text": "Votre avis"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        }
    ],
}
HOME = {
    "type": "home",
    "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "Hi"}}],
}


def build_app(sandbox: Sandbox) -> AsyncApp:
    """Return a Bolt app with one listener per surface, like the bot's."""
    app = AsyncApp(
        client=AsyncWebClient(token=TOKEN, base_url=sandbox.api_url), signing_secret=SECRET
    )

    @app.action(re.compile(r"^answer_\d+$"))
    async def answer(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        value = body["actions"][0]["value"]
        await respond(replace_original=True, text=f"Merci pour votre note : {value}")

    @app.command("/ecoute")
    async def command(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    @app.view("comment")
    async def submitted(ack: AsyncAck, view: dict[str, Any]) -> None:
        text = view["state"]["values"]["comment"]["text"]["value"]
        if len(text) < 5:
            await ack(response_action="errors", errors={"comment": "Un peu plus, svp"})
        else:
            await ack()

    @app.event("app_home_opened")
    async def home(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.views_publish(user_id=event["user"], view=HOME)

    return app


@pytest.fixture
async def bolt(sandbox: Sandbox) -> AsyncIterator[AsyncApp]:
    app = build_app(sandbox)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    runner = web.AppRunner(web_app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    sandbox.events_url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    yield app
    await runner.cleanup()


async def test_bolt_handles_clicks_commands_submissions_and_home(
    sandbox: Sandbox, client: AsyncWebClient, bolt: AsyncApp
) -> None:
    agent = sandbox.agent(ALICE.id)
    await client.chat_postMessage(channel=ALICE.id, text="Votre avis ?", blocks=pulse_blocks())
    assert (await agent.click(action_id="answer_5")).status == 200
    await sandbox.wait_for(lambda: sandbox.messages(ALICE.id)[0].text.startswith("Merci"))
    assert sandbox.messages(ALICE.id)[0].text == "Merci pour votre note : 5"

    assert (await agent.slash("/ecoute")).status == 200
    await sandbox.wait_for(lambda: len(sandbox.views_for(ALICE.id)) == 1)
    short = await agent.submit_view(values={"comment": {"text": "bof"}})
    assert short.ack == {"response_action": "errors", "errors": {"comment": "Un peu plus, svp"}}
    assert len(sandbox.views_for(ALICE.id)) == 1
    await agent.submit_view(values={"comment": {"text": "Très bon accueil"}})
    assert sandbox.views_for(ALICE.id) == []

    assert (await agent.open_home()).status == 200
    await sandbox.wait_for(lambda: sandbox.home(ALICE.id) is not None)
    assert sandbox.violations == []
    assert "auth.test" in [call.method for call in sandbox.calls]
