"""The optional first step: "not yet settled" is heard apart and the service is told."""

from __future__ import annotations

import asyncio
import copy
import json
import time

from aiohttp import web
from sqlalchemy import update
from sqlmodel import select

from bot.sandbox import Sandbox
from handlers.intake.signature import Verifier, decode_secret
from scheduler.notices import run_notices
from storage.tables import Answer, Notice, Pulse, Service
from tests.conftest import TEST_SECRETS
from tests.scenarios.conftest import Stack, interaction


async def _enable_check(stack: Stack) -> None:
    assert stack.instance is not None
    async with stack.instance.deps.database.begin() as session:
        await session.exec(update(Service).values(settled_check=True))


async def test_settled_leads_to_the_questions(stack: Stack, sandbox: Sandbox) -> None:
    async with stack.bot():
        await _enable_check(stack)
        await stack.post_interactions([interaction("s1", "U0AGENT01")])
        await stack.until_dispatched()
        agent = sandbox.agent("U0AGENT01")
        first = agent.latest_message()
        assert "vraiment réglée" in first.text
        await agent.click(
            first, action_id="pulse.settled.yes", value=first.blocks[2]["elements"][0]["value"]
        )
        await stack.until(lambda: "Êtes-vous satisfait" in agent.latest_message().text)
    assert await stack.statuses() == {"sent": 1}


async def test_not_yet_closes_the_pulse_tells_the_owner_and_calls_the_source_back(
    stack: Stack, sandbox: Sandbox
) -> None:
    received: list[tuple[dict[str, str], bytes]] = []

    async def callback(request: web.Request) -> web.Response:
        received.append((dict(request.headers), await request.read()))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", callback)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with stack.bot() as instance:
            await _enable_check(stack)
            hook = f"http://127.0.0.1:{port}/hook"
            status, _ = await stack.post_interactions(
                [interaction("s2", "U0AGENT02", callback_url=hook)]
            )
            assert status == 202
            await stack.until_dispatched()
            agent = sandbox.agent("U0AGENT02")
            # What the agent saw, kept as it was: Slack re-sends that on a double click.
            first = copy.deepcopy(agent.latest_message())
            value = first.blocks[2]["elements"][1]["value"]
            for _ in range(2):  # a double click owes the notices once
                await agent.click(first, action_id="pulse.settled.no", value=value)
            await stack.until(lambda: "informé" in agent.latest_message().text)
            await asyncio.sleep(0.2)
            assert await run_notices(instance.deps) == 2
            assert await run_notices(instance.deps) == 0
            async with instance.deps.database.begin() as session:
                notices = (await session.exec(select(Notice))).all()
                answers = (await session.exec(select(Answer))).all()
                pulse = (await session.exec(select(Pulse))).one()
            assert {n.kind for n in notices} == {"unsettled_owner", "unsettled_callback"}
            assert all(n.sent_at is not None for n in notices)
            assert answers == []
            assert (pulse.status, pulse.settled) == ("unsettled", False)
    finally:
        await runner.cleanup()
    owner_dm = sandbox.messages("U0SI0QUAL")[-1]
    assert "INC-s2" in owner_dm.text
    assert "U0AGENT02" not in json.dumps(owner_dm.blocks)
    assert len(received) == 1
    headers, body = received[0]
    lowered = {name.lower(): value for name, value in headers.items()}
    verifier = Verifier([decode_secret(TEST_SECRETS["ECOUTE_INTAKE_SECRETS"])])
    verifier.verify(lowered, body, now=time.time())  # raises if the signature is wrong
    assert json.loads(body)["data"] == {"source": "api", "external_id": "s2"}
