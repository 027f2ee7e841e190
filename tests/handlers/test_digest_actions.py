"""An owner clicks "Détails" in their digest and the commitment's modal opens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from aiohttp import web

from bot.app import SURFACES, build_bolt_app
from bot.blocks.digest import DETAILS_ACTION
from bot.config import Settings
from bot.deps import Deps
from bot.sandbox import Sandbox
from bot.server import build_web_app
from domain.digests import commitment_details
from domain.errors import NotAllowed, NotFound
from handlers.actions import digest as digest_actions
from scheduler.digests import run_digests
from storage.engine import Database
from tests.domain.score_fixtures import AS_OF
from tests.scheduler.digest_stack import digest_stack


@asynccontextmanager
async def serving(deps: Deps, sandbox: Sandbox) -> AsyncIterator[None]:
    """Serve the bot's Slack endpoint on loopback and point the sandbox at it."""
    bolt = build_bolt_app(deps)
    if digest_actions.register not in SURFACES:
        digest_actions.register(bolt)
    runner = web.AppRunner(build_web_app(deps, bolt), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    sandbox.events_url = f"http://{host}:{port}/slack/events"
    try:
        yield
    finally:
        await runner.cleanup()


async def test_details_button_opens_the_commitment_modal(
    database: Database, settings: Settings
) -> None:
    async with digest_stack(database, settings) as stack:
        await run_digests(stack.deps, fire_time=AS_OF, owner="UOWNER1")
        stack.clock[0] = AS_OF + timedelta(hours=1)
        csat = stack.seeded.commitment_ids[0]
        async with serving(stack.deps, stack.sandbox):
            agent = stack.sandbox.agent("UOWNER1")
            digest = stack.sandbox.messages("UOWNER1")[0]
            delivery = await agent.click(digest, action_id=DETAILS_ACTION, value=str(csat))
            assert delivery.status == 200
            await stack.sandbox.wait_for(lambda: bool(stack.sandbox.views_for("UOWNER1")))
        [view] = stack.sandbox.views_for("UOWNER1")
        text = str(view.to_slack()["blocks"])
        assert "Engagement CSAT" in text
        assert "objectif manqué" in text
        assert "Semaine par semaine" in text
        assert "[e-mail]" in text
        assert stack.sandbox.violations == []


async def test_only_owners_and_admins_see_the_details(
    database: Database, settings: Settings
) -> None:
    async with digest_stack(database, settings) as stack:
        csat = stack.seeded.commitment_ids[0]
        async with database.begin() as session:
            with pytest.raises(NotAllowed):
                await commitment_details(
                    session, commitment_id=csat, user_id="UQUIET1", as_of=AS_OF
                )
            with pytest.raises(NotFound):
                await commitment_details(session, commitment_id=999, user_id="U", as_of=AS_OF)
            admin = await commitment_details(
                session, commitment_id=csat, user_id="UADMIN", as_of=AS_OF, admins=["UADMIN"]
            )
            service_owner = await commitment_details(
                session, commitment_id=csat, user_id="USERVICE", as_of=AS_OF
            )
        assert admin.card.commitment.code == "CSAT"
        assert service_owner.viewer_locale == "en-GB"
