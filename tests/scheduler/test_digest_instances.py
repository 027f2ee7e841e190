"""Several instances firing the same digest together: each owner still gets it once."""

from __future__ import annotations

import asyncio
import dataclasses

from bot.config import Settings
from bot.slack_client import build_slack_client
from scheduler.digests import run_digests
from storage.engine import Database, open_database
from tests.domain.score_fixtures import AS_OF
from tests.scheduler.digest_stack import digest_stack

INSTANCES = 3


async def test_instances_firing_together_send_each_digest_once(
    database: Database, settings: Settings
) -> None:
    async with digest_stack(database, settings) as stack:
        # Each instance has its own connection pool and its own Slack client, as in production.
        engines = [open_database(settings.database_url) for _ in range(INSTANCES)]
        instances = [
            dataclasses.replace(
                stack.deps, database=engine, slack=build_slack_client(stack.deps.settings)
            )
            for engine in engines
        ]
        try:
            reports = await asyncio.gather(
                *(run_digests(deps, fire_time=AS_OF) for deps in instances)
            )
        finally:
            for engine in engines:
                await engine.dispose()
        sent = [o.owner for report in reports for o in report.outcomes if o.outcome == "sent"]
        assert sorted(sent) == ["UOWNER1", "UQUIET1", "USERVICE"]  # once each, whoever won
        sandbox = stack.sandbox
        assert len(sandbox.messages("UOWNER1")) == 2  # the digest and its chart
        assert len(sandbox.messages("USERVICE")) == 2
        assert len(sandbox.messages("UQUIET1")) == 1
        assert sandbox.violations == []
