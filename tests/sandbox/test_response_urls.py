"""response_url: replace, delete, ephemeral and in-channel answers; 5 uses in 30 minutes."""

from __future__ import annotations

from typing import Any

import aiohttp
from sandbox_helpers import ALICE, FakeClock, pulse_blocks
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Message, Sandbox

THANKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "Merci !"}}]


async def _posted(sandbox: Sandbox, client: AsyncWebClient) -> tuple[Message, str]:
    await client.chat_postMessage(channel=ALICE.id, text="Q", blocks=pulse_blocks())
    [message] = sandbox.messages(ALICE.id)
    token = sandbox.response_urls.issue(ALICE.id, message.channel, message.ts)
    return message, f"{sandbox.base_url}response/{token}"


async def _post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.post(url, json=body) as response:
        return response.status, await response.json()


async def test_replace_original_updates_the_message(
    sandbox: Sandbox, client: AsyncWebClient
) -> None:
    message, url = await _posted(sandbox, client)
    status, body = await _post(url, {"replace_original": True, "text": "Merci", "blocks": THANKS})
    assert (status, body) == (200, {"ok": True})
    [replaced] = sandbox.messages(ALICE.id)
    assert replaced.ts == message.ts
    assert (replaced.text, replaced.blocks) == ("Merci", THANKS)
    assert sandbox.calls[-1].method == "response_url"


async def test_default_answer_is_ephemeral_and_in_channel_posts(
    sandbox: Sandbox, client: AsyncWebClient
) -> None:
    _, url = await _posted(sandbox, client)
    await _post(url, {"text": "Pour vous seul"})
    assert [e["text"] for e in sandbox.ephemerals(ALICE.id)] == ["Pour vous seul"]
    await _post(url, {"text": "Pour tous", "response_type": "in_channel"})
    assert [m.text for m in sandbox.messages(ALICE.id)] == ["Q", "Pour tous"]


async def test_delete_original(sandbox: Sandbox, client: AsyncWebClient) -> None:
    _, url = await _posted(sandbox, client)
    assert (await _post(url, {"delete_original": True}))[0] == 200
    assert sandbox.messages(ALICE.id) == []


async def test_five_uses_then_used_url(sandbox: Sandbox, client: AsyncWebClient) -> None:
    _, url = await _posted(sandbox, client)
    for n in range(5):
        assert (await _post(url, {"replace_original": True, "text": f"v{n}"}))[0] == 200
    status, body = await _post(url, {"replace_original": True, "text": "v6"})
    assert (status, body["error"]) == (404, "used_url")
    assert sandbox.messages(ALICE.id)[0].text == "v4"


async def test_expires_after_thirty_minutes(
    sandbox: Sandbox, client: AsyncWebClient, clock: FakeClock
) -> None:
    _, url = await _posted(sandbox, client)
    clock.advance(30 * 60 + 1)
    status, body = await _post(url, {"text": "late"})
    assert (status, body["error"]) == (404, "expired_url")
    unknown = await _post(f"{sandbox.base_url}response/nope", {"text": "x"})
    assert unknown[0] == 404


async def test_invalid_blocks_are_refused_and_do_not_spend_a_use(
    sandbox: Sandbox, client: AsyncWebClient
) -> None:
    _, url = await _posted(sandbox, client)
    bad = [{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}]
    status, body = await _post(url, {"replace_original": True, "text": "x", "blocks": bad})
    assert (status, body["error"]) == (400, "invalid_blocks")
    assert [(v.method, v.path) for v in sandbox.violations] == [
        ("response_url", "blocks[0].text.type")
    ]
    assert sandbox.messages(ALICE.id)[0].text == "Q"
    assert (await _post(url, {"text": ""}))[0] == 400  # no_text
    for _ in range(5):
        assert (await _post(url, {"replace_original": True, "text": "ok"}))[0] == 200
