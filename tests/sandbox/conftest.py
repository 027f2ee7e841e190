"""Fixtures for the sandbox: a started workspace, a fake clock, the real client, a bot stub."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from sandbox_helpers import ALICE, BOB, GONE, SECRET, TOKEN, WENDY, BotStub, FakeClock
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Limits, Sandbox


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def limits() -> Limits:
    return Limits()


@pytest.fixture
async def sandbox(clock: FakeClock, limits: Limits) -> AsyncIterator[Sandbox]:
    sb = Sandbox(
        users=[ALICE, BOB, WENDY, GONE],
        bot_token=TOKEN,
        signing_secret=SECRET,
        limits=limits,
        clock=clock,
    )
    await sb.start()
    yield sb
    await sb.stop()


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[AsyncWebClient]:
    web_client = AsyncWebClient(token=TOKEN, base_url=sandbox.api_url, retry_handlers=[])
    yield web_client
    if web_client.session is not None:
        await web_client.session.close()


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[BotStub]:
    stub = BotStub(SignatureVerifier(SECRET))
    app = web.Application()
    app.router.add_post("/slack/events", stub.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    sandbox.events_url = f"http://127.0.0.1:{port}/slack/events"
    yield stub
    await runner.cleanup()
