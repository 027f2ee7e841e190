"""Scenario fixtures: the sandbox Slack and the real bot, each on its own loopback port."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func
from sqlmodel import col, select

from bot.config import Settings, load_settings
from bot.runtime import Instance, running
from bot.sandbox import Limits, Sandbox, SandboxUser
from domain.charter import apply_charter, parse_charter
from handlers.intake.signature import decode_secret, sign
from storage.engine import open_database
from storage.tables import Pulse
from tests.conftest import TEST_SECRETS

CHARTER = Path(__file__).with_name("charter.yaml")
# Scenarios check behaviour, not Slack's pace: both sides agree on a faster ceiling here, and
# the pacing scenarios use Slack's real numbers.
FAST_POSTS_PER_MINUTE = 6000
AGENTS = [
    SandboxUser(f"U0AGENT{i:02d}", f"Agent {i}", f"agent{i}@finances.gouv.fr") for i in range(1, 31)
]
OWNERS = [SandboxUser("U0SI0QUAL", "Sophie SI", "sophie@finances.gouv.fr"),
          SandboxUser("U0RH0QUAL", "Claire RH", "claire@finances.gouv.fr")]  # fmt: skip
ENGLISH = SandboxUser("U0ENGLISH", "Sarah English", "sarah@finances.gouv.fr", locale="en-GB")
GONE = SandboxUser("U0GONE01", "Departed", "gone@finances.gouv.fr", deleted=True)


def scenario_settings(database_url: str, api_url: str, **overrides: Any) -> Settings:
    """Return the bot's settings for a scenario (fast dispatch, the sandbox as Slack)."""
    values: dict[str, Any] = {
        **TEST_SECRETS,
        "ECOUTE_DATABASE_URL": database_url,
        "SLACK_API_URL": api_url,
        "ECOUTE_DISPATCH_INTERVAL": 0.1,
        "ECOUTE_SLACK_POSTS_PER_MINUTE": FAST_POSTS_PER_MINUTE,
    }
    values.update(overrides)
    return load_settings(None, **values)


async def load_test_charter(database_url: str) -> None:
    """Load the scenarios' small charter into the database."""
    database = open_database(database_url)
    try:
        async with database.begin() as session:
            spec = parse_charter(CHARTER.read_text(encoding="utf-8"), filename=str(CHARTER))
            await apply_charter(session, spec=spec, now=datetime.now(UTC))
    finally:
        await database.dispose()


def interaction(external_id: str, user_id: str | None = None, **fields: Any) -> dict[str, Any]:
    """Return an intake payload due now."""
    now = datetime.now(UTC).isoformat()
    payload: dict[str, Any] = {
        "external_id": external_id,
        "service": "SI",
        "beneficiary": {"slack_user_id": user_id} if user_id else fields.pop("beneficiary"),
        "occurred_at": now,
        "send_after": now,
        "reference": f"INC-{external_id}",
        "summary": "Poste bloqué",
    }
    payload.update(fields)
    return payload


class Stack:
    """The sandbox and one bot instance, with helpers to drive them like the outside world."""

    def __init__(self, sandbox: Sandbox, database_url: str, settings: Settings) -> None:
        self.sandbox = sandbox
        self.database_url = database_url
        self.settings = settings
        self.instance: Instance | None = None

    @property
    def url(self) -> str:
        assert self.instance is not None
        return self.instance.url

    async def post_interactions(
        self, payloads: Sequence[dict[str, Any]], *, secret: str | None = None
    ) -> tuple[int, Any]:
        """Send a signed intake batch; return the status and JSON body."""
        key = decode_secret(secret or TEST_SECRETS["ECOUTE_INTAKE_SECRETS"])
        body = json.dumps({"interactions": list(payloads)}).encode()
        msg_id, timestamp = f"msg_{uuid.uuid4().hex}", int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(key, msg_id=msg_id, timestamp=timestamp, body=body),
        }
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{self.url}/api/v1/interactions", data=body, headers=headers) as response,
        ):
            return response.status, await response.json()

    async def statuses(self) -> dict[str, int]:
        """Return how many pulses stand in each status."""
        database = open_database(self.database_url)
        try:
            async with database.begin() as session:
                rows = (
                    await session.exec(
                        select(Pulse.status, func.count()).group_by(col(Pulse.status))
                    )
                ).all()
        finally:
            await database.dispose()
        return {str(status): int(count) for status, count in rows}

    async def until(self, condition: Callable[[], Any], within: float = 15.0) -> None:
        """Wait until `condition()` (sync or async) is true."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            result = condition()
            if asyncio.iscoroutine(result):
                result = await result
            if result:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"condition not met within {within} s")

    async def until_dispatched(self, within: float = 20.0) -> dict[str, int]:
        """Wait until no pulse is pending or sending; return the statuses."""

        async def done() -> bool:
            statuses = await self.statuses()
            return not statuses.get("pending") and not statuses.get("sending")

        await self.until(done, within)
        return await self.statuses()

    @asynccontextmanager
    async def bot(self, **overrides: Any) -> AsyncIterator[Instance]:
        """Run one bot instance on a free port for the duration of the block."""
        settings = self.settings.model_copy(update=overrides) if overrides else self.settings
        async with running(settings, host="127.0.0.1", port=0, migrate=False) as instance:
            self.instance = instance
            self.sandbox.events_url = f"{instance.url}/slack/events"
            yield instance
        self.instance = None


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """Start the local Slack with agents, owners, an English speaker and a departed agent."""
    slack = Sandbox(
        users=[*AGENTS, *OWNERS, ENGLISH, GONE],
        bot_token=TEST_SECRETS["SLACK_BOT_TOKEN"],
        signing_secret=TEST_SECRETS["SLACK_SIGNING_SECRET"],
        limits=Limits(post_workspace_per_minute=FAST_POSTS_PER_MINUTE),
    )
    await slack.start()
    yield slack
    await slack.stop()


@pytest.fixture
async def stack(sandbox: Sandbox, database_url: str) -> AsyncIterator[Stack]:
    """Return the sandbox and a bot (started with `async with stack.bot()`), charter loaded."""
    await load_test_charter(database_url)
    yield Stack(sandbox, database_url, scenario_settings(database_url, sandbox.api_url))
    assert sandbox.violations == [], sandbox.violations
