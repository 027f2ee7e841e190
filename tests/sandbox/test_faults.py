"""Fault injection: outages, throttling and responses lost after the work was done."""

from __future__ import annotations

import asyncio

import pytest
from sandbox_helpers import ALICE, TOKEN
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Faults, Sandbox


def test_faults_are_reproducible_from_the_seed() -> None:
    def draws(seed: int) -> list[str | None]:
        faults = Faults(server_error=0.3, ratelimited=0.3, seed=seed)
        return [faults.draw() for _ in range(50)]

    assert draws(7) == draws(7)
    assert draws(7) != draws(8)
    assert {"server_error", "ratelimited", None} == set(draws(7))
    assert all(Faults().draw() is None for _ in range(100))


async def test_an_outage_answers_5xx_without_posting(
    sandbox: Sandbox, client: AsyncWebClient
) -> None:
    sandbox.faults.server_error = 1.0
    statuses = set()
    for _ in range(8):
        with pytest.raises(SlackApiError) as failed:
            await client.chat_postMessage(channel=ALICE.id, text="hi")
        statuses.add(failed.value.response.status_code)
    assert statuses == {500, 503}
    assert sandbox.messages(ALICE.id) == []
    assert (await client.auth_test())["ok"] is True  # auth.test is never faulted
    sandbox.faults.server_error = 0.0
    await client.chat_postMessage(channel=ALICE.id, text="hi")
    assert len(sandbox.messages(ALICE.id)) == 1


async def test_injected_ratelimit_answers_429_retry_after_1(
    sandbox: Sandbox, client: AsyncWebClient
) -> None:
    sandbox.faults.ratelimited = 1.0
    with pytest.raises(SlackApiError) as limited:
        await client.chat_postMessage(channel=ALICE.id, text="hi")
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["Retry-After"] == "1"
    assert sandbox.messages(ALICE.id) == []


async def test_timeout_after_accept_posts_then_withholds_the_answer(sandbox: Sandbox) -> None:
    sandbox.faults = Faults(timeout_after_accept=1.0, timeout_seconds=30.0)
    impatient = AsyncWebClient(token=TOKEN, base_url=sandbox.api_url, timeout=1, retry_handlers=[])
    metadata = {"event_type": "pulse_sent", "event_payload": {"pulse_id": 7}}
    with pytest.raises(asyncio.TimeoutError):
        await impatient.chat_postMessage(channel=ALICE.id, text="hi", metadata=metadata)
    # The outcome was unknown to the caller, but the message exists: reconcile, never resend.
    [message] = sandbox.messages(ALICE.id)
    assert message.metadata == metadata
    sandbox.faults.timeout_after_accept = 0.0
    history = await impatient.conversations_history(
        channel=sandbox.dm_channel(ALICE.id), include_all_metadata=True
    )
    assert history["messages"][0]["metadata"]["event_payload"]["pulse_id"] == 7
