"""Crash soak: the bot is SIGKILLed again and again while Slack misbehaves; nothing is lost."""

from __future__ import annotations

import asyncio
import random
import signal
import time
from pathlib import Path

import aiohttp
import pytest

from tests.production.harness import (
    FINAL,
    BotProcess,
    Feeder,
    assert_logs_clean,
    bot_environment,
    counts,
    dm_check,
    payloads_for,
    people,
    pulse_rows,
    read_log,
    sandbox_for,
    seed,
    until_settled,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

INTERACTIONS = 2000
KILLS = 10
CEILING = 6000
SEED = 20260512


async def test_sigkill_soak_under_slack_faults_loses_and_doubles_nothing(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(SEED)
    users = people(INTERACTIONS)
    await seed(pg_url, users)
    sandbox = sandbox_for(users, CEILING)
    sandbox.faults.server_error = 0.05
    sandbox.faults.ratelimited = 0.05
    sandbox.faults.timeout_after_accept = 0.01
    sandbox.faults.timeout_seconds = 2.0
    await sandbox.start()
    env = bot_environment(
        pg_url,
        sandbox.api_url,
        ECOUTE_SLACK_POSTS_PER_MINUTE=str(CEILING),
        ECOUTE_SLACK_TIMEOUT="1",
        # A killed instance's claims come back after this lease and are reconciled (two Tier 3
        # calls each): a crash leaves at most one batch in doubt.
        ECOUTE_DISPATCH_LEASE="5",
        ECOUTE_DISPATCH_BATCH="10",
    )
    bot = BotProcess(env, tmp_path)
    feeder = Feeder(batch=20)
    payloads = payloads_for(users, "soak")
    kills = in_doubt_after_kills = 0
    started = time.monotonic()

    async def feed(http: aiohttp.ClientSession) -> None:
        for start in range(0, len(payloads), feeder.batch):
            batch = payloads[start : start + feeder.batch]
            # A sender retries with the same ids until it gets a 202 (a replay is harmless).
            while bot.url is None or await feeder.post(http, bot.url, batch) != 202:  # noqa: ASYNC110
                await asyncio.sleep(0.1)

    try:
        async with aiohttp.ClientSession() as http:
            feeding = asyncio.create_task(feed(http))
            while True:
                await bot.start()
                if kills >= KILLS and feeding.done():
                    break
                await asyncio.sleep(rng.uniform(0.5, 2.5))
                bot.kill(signal.SIGKILL)
                await bot.wait()
                kills += 1
                in_doubt_after_kills += ((await counts(pg_url)) or {}).get("sending", 0)
            await feeding
        final = await until_settled(pg_url, INTERACTIONS, within=240)
        assert await bot.stop() == 0
    finally:
        await bot.ensure_dead()
        await sandbox.stop()

    rows = await pulse_rows(pg_url)
    lost, duplicated = dm_check(sandbox, rows)
    records = [record for log in bot.logs for record in read_log(log)]
    reconciled = sum("reconciled: it had reached Slack" in str(r.get("message")) for r in records)
    unknown = sum("outcome unknown" in str(r.get("message")) for r in records)
    calls = sandbox.calls
    summary = (
        f"crash soak: accepted={len(feeder.accepted)} pulses={len(rows)} "
        + " ".join(f"{status}={final.get(status, 0)}" for status in sorted(FINAL))
        + f" lost={lost} duplicated={duplicated} kills={kills} "
        f"in_doubt_after_kills={in_doubt_after_kills} timeouts={unknown} reconciled={reconciled} "
        f"slack_5xx={sum(c.http_status >= 500 for c in calls)} "
        f"slack_429={sum(c.http_status == 429 for c in calls)} "
        f"elapsed={time.monotonic() - started:.0f}s seed={SEED}"
    )
    with capsys.disabled():
        print(f"\n{summary}")
    assert kills >= KILLS
    assert len(feeder.accepted) == INTERACTIONS
    assert {row.external_id for row in rows} == feeder.accepted
    assert (lost, duplicated) == (0, 0), summary
    assert {row.status for row in rows} <= FINAL, summary
    assert all(row.reason for row in rows if row.status == "failed"), summary
    assert sandbox.violations == []
    assert_logs_clean(bot.logs, users)
