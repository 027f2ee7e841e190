"""SIGTERM: sends under way finish, the rest go back to the queue, and nothing is sent twice."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from bot.sandbox import Sandbox
from tests.production.harness import (
    BotProcess,
    Feeder,
    bot_environment,
    counts,
    dm_check,
    payloads_for,
    people,
    pulse_rows,
    sandbox_for,
    seed,
    until_settled,
)

pytestmark = pytest.mark.slow
USERS = 24
# More than the dispatcher reconciles at once (8), few enough for Tier 3's pace (50 a minute).
IN_DOUBT = 10


async def test_sigterm_lets_sends_under_way_finish_and_releases_the_rest(
    database_url: str, tmp_path: Path
) -> None:
    users = people(USERS)
    await seed(database_url, users)
    sandbox = sandbox_for(users, 60_000)
    # Slack takes 1.5 s to answer each post: SIGTERM lands while sends are under way.
    sandbox.faults.timeout_after_accept = 1.0
    sandbox.faults.timeout_seconds = 1.5
    await sandbox.start()
    env = bot_environment(database_url, sandbox.api_url, ECOUTE_SLACK_POSTS_PER_MINUTE="60000")
    bot = BotProcess(env, tmp_path)
    try:
        url = await bot.start()
        async with aiohttp.ClientSession() as http:
            assert await Feeder(batch=USERS).post(http, url, payloads_for(users, "term")) == 202
        await _until(lambda: _posts(sandbox) >= 8)
        bot.kill(signal.SIGTERM)
        assert await bot.wait(within=10) == 0
        after_stop = await counts(database_url)
        under_way = _posts(sandbox)
        sandbox.faults.timeout_after_accept = 0.0
        await bot.start()
        await until_settled(database_url, USERS, within=30)
        assert await bot.stop() == 0
    finally:
        await bot.ensure_dead()
        await sandbox.stop()
    assert after_stop is not None
    assert "sending" not in after_stop, after_stop
    assert after_stop.get("sent") == under_way  # every send under way was finished and recorded
    assert after_stop.get("pending") == USERS - under_way  # the rest went back to the queue
    rows = await pulse_rows(database_url)
    assert {row.status for row in rows} == {"sent"}
    assert dm_check(sandbox, rows) == (0, 0)


@pytest.mark.postgres  # the same SQL runs on SQLite in test_dispatch_faults; Tier 3 pace is slow
async def test_sigterm_keeps_in_doubt_pulses_in_doubt(pg_url: str, tmp_path: Path) -> None:
    database_url = pg_url
    users = people(IN_DOUBT)
    await seed(database_url, users)
    sandbox = sandbox_for(users, 60_000)
    # Every answer comes too late: each post reaches Slack but the bot cannot know it.
    sandbox.faults.timeout_after_accept = 1.0
    sandbox.faults.timeout_seconds = 3.0
    await sandbox.start()
    env = bot_environment(
        database_url,
        sandbox.api_url,
        ECOUTE_SLACK_POSTS_PER_MINUTE="60000",
        ECOUTE_SLACK_TIMEOUT="1",
    )
    bot = BotProcess(env, tmp_path)
    try:
        url = await bot.start()
        async with aiohttp.ClientSession() as http:
            assert await Feeder(batch=IN_DOUBT).post(http, url, payloads_for(users, "doubt")) == 202
        # Once reconciliation starts, the pass holds more in-doubt pulses than it checks at once.
        await _until(lambda: any(c.method == "conversations.open" for c in sandbox.calls))
        bot.kill(signal.SIGTERM)
        assert await bot.wait(within=10) == 0
        sandbox.faults.timeout_after_accept = 0.0
        await bot.start()
        await until_settled(database_url, IN_DOUBT, within=60)
        assert await bot.stop() == 0
    finally:
        await bot.ensure_dead()
        await sandbox.stop()
    rows = await pulse_rows(database_url)
    assert {row.status for row in rows} == {"sent"}
    assert dm_check(sandbox, rows) == (0, 0)  # no pulse already in Slack was sent again


def _posts(sandbox: Sandbox) -> int:
    return sum(1 for call in sandbox.calls if call.method == "chat.postMessage" and call.ok)


async def _until(condition: Callable[[], bool], within: float = 20.0) -> None:
    for _ in range(int(within / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"condition not met within {within} s")
