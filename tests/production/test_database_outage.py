"""PostgreSQL stopped for 30 s mid-load: intake says 503 + Retry-After, then recovers alone."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiohttp
import pytest

from tests.production.conftest import LAST
from tests.production.harness import (
    BotProcess,
    Feeder,
    assert_logs_clean,
    bot_environment,
    dm_check,
    payloads_for,
    people,
    pulse_rows,
    sandbox_for,
    seed,
    until_settled,
)
from tests.production.pg_control import cluster_for

# It stops the PostgreSQL every other test uses: it runs after all of them.
pytestmark = [pytest.mark.postgres, pytest.mark.slow, getattr(pytest.mark, LAST)]

INTERACTIONS = 1000
OUTAGE_SECONDS = 30.0
RECOVERY_LIMIT = 10.0


async def test_a_database_outage_answers_503_then_recovers_and_loses_nothing(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster = await cluster_for(pg_url)
    users = people(INTERACTIONS)
    await seed(pg_url, users)
    sandbox = sandbox_for(users, 60_000)
    await sandbox.start()
    # The lease brings back, within seconds, pulses whose result could not be recorded.
    env = bot_environment(
        pg_url, sandbox.api_url, ECOUTE_SLACK_POSTS_PER_MINUTE="60000", ECOUTE_DISPATCH_LEASE="5"
    )
    bot = BotProcess(env, tmp_path)
    feeder = Feeder(batch=10)
    payloads = payloads_for(users, "outage")
    ready: list[tuple[float, int]] = []
    try:
        url = await bot.start()
        async with aiohttp.ClientSession() as http:

            async def feed() -> None:
                for start in range(0, len(payloads), feeder.batch):
                    batch = payloads[start : start + feeder.batch]
                    while await feeder.post(http, url, batch) != 202:  # noqa: ASYNC110
                        await asyncio.sleep(0.2)
                    await asyncio.sleep(0.1)

            async def probe() -> None:
                while True:
                    async with http.get(f"{url}/readyz") as response:
                        ready.append((time.monotonic(), response.status))
                    await asyncio.sleep(0.5)

            feeding = asyncio.create_task(feed())
            probing = asyncio.create_task(probe())
            try:
                await asyncio.sleep(3.0)
                await cluster.stop()
                stopped = time.monotonic()
                await asyncio.sleep(OUTAGE_SECONDS)
                restarting = time.monotonic()
                await cluster.start(pg_url)
                back = time.monotonic()
                await feeding
            finally:
                await cluster.ensure_running(pg_url)
                probing.cancel()
                feeding.cancel()
        await until_settled(pg_url, INTERACTIONS, within=60)
        assert await bot.stop() == 0
    finally:
        await bot.ensure_dead()
        await sandbox.stop()

    during = [status for at, status in feeder.answers if stopped + 1.0 < at < restarting]
    first_accept = min(at for at, status in feeder.answers if at > back and status == 202)
    recovered_in = first_accept - back
    rows = await pulse_rows(pg_url)
    with capsys.disabled():
        print(
            f"\ndatabase outage: stopped {restarting - stopped:.1f} s, {len(during)} intake "
            f"answers meanwhile ({set(during)}), first 202 {recovered_in:.1f} s after PostgreSQL "
            f"accepted connections again, /readyz 503 x{sum(s == 503 for _, s in ready)}, "
            f"accepted={len(feeder.accepted)} sent={sum(r.status == 'sent' for r in rows)}"
        )
    assert {status for _, status in feeder.answers} <= {202, 503}  # never a 500, never a hang
    assert during
    assert set(during) == {503}
    assert feeder.retry_after
    assert all(value.isdigit() for value in feeder.retry_after)
    assert recovered_in <= RECOVERY_LIMIT
    assert any(status == 503 for at, status in ready if stopped + 1.0 < at < restarting)
    assert ready[-1][1] == 200
    assert len(feeder.accepted) == INTERACTIONS
    assert {row.external_id for row in rows} == feeder.accepted
    assert {row.status for row in rows} == {"sent"}
    assert dm_check(sandbox, rows) == (0, 0)
    assert_logs_clean(bot.logs, users)
