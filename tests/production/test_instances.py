"""Several instances on one PostgreSQL: every interaction gets one pulse, every pulse one DM."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from storage.engine import open_database
from storage.migrate import is_current
from tests.conftest import POSTGRES_URL
from tests.production.harness import (
    BotProcess,
    Feeder,
    assert_logs_clean,
    bot_environment,
    dm_check,
    ecoute_command,
    payloads_for,
    people,
    pulse_rows,
    sandbox_for,
    scrape,
    seed,
    until_settled,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

INTERACTIONS = 5000
INSTANCES = 3
# The workspace ceiling is shared: each instance's pacer aims at its share of it.
CEILING = 30_000
POSTS_OK = 'ecoute_slack_calls_total{method="chat.postMessage",outcome="ok"}'


async def test_three_instances_send_one_dm_per_interaction(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    users = people(INTERACTIONS)
    await seed(pg_url, users)
    sandbox = sandbox_for(users, CEILING)
    await sandbox.start()
    env = bot_environment(
        pg_url, sandbox.api_url, ECOUTE_SLACK_POSTS_PER_MINUTE=str(CEILING // INSTANCES)
    )
    bots = [BotProcess(env, tmp_path) for _ in range(INSTANCES)]
    try:
        urls = await asyncio.gather(*(bot.start() for bot in bots))
        started = time.monotonic()
        feeder = Feeder(batch=100)
        payloads = payloads_for(users, "multi")
        batches = [payloads[i : i + feeder.batch] for i in range(0, len(payloads), feeder.batch)]
        targets = itertools.cycle(urls)
        async with aiohttp.ClientSession() as http:
            statuses = await asyncio.gather(
                *(feeder.post(http, next(targets), batch) for batch in batches)
            )
        assert set(statuses) == {202}
        assert len(feeder.accepted) == INTERACTIONS
        await until_settled(pg_url, INTERACTIONS, within=120)
        elapsed = time.monotonic() - started
        figures = [await scrape(url) for url in urls]
        codes = [await bot.stop() for bot in bots]
    finally:
        for bot in bots:
            await bot.ensure_dead()
        await sandbox.stop()
    assert codes == [0] * INSTANCES

    rows = await pulse_rows(pg_url)
    assert len(rows) == INTERACTIONS
    assert {row.external_id for row in rows} == feeder.accepted  # one pulse per interaction
    assert {row.status for row in rows} == {"sent"}
    assert dm_check(sandbox, rows) == (0, 0)
    posts = [c for c in sandbox.calls if c.method == "chat.postMessage" and c.ok]
    assert len(posts) == INTERACTIONS
    sent_by = [f[POSTS_OK] for f in figures]
    assert sum(sent_by) == INTERACTIONS
    assert all(share > 0 for share in sent_by), sent_by  # every instance took its part
    assert figures[0]['ecoute_pulses{status="sent"}'] == INTERACTIONS
    assert figures[0]["ecoute_backlog_pulses"] == 0
    assert sandbox.violations == []
    assert_logs_clean([log for bot in bots for log in bot.logs], users)
    with capsys.disabled():
        print(f"\n{INSTANCES} instances: {INTERACTIONS} pulses in {elapsed:.1f} s, split {sent_by}")


async def test_instances_starting_together_migrate_once(
    postgres_database: str, tmp_path: Path
) -> None:
    # Alembic keeps its context in module globals: only separate processes can race honestly.
    name = f"ecoute_migrate_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{POSTGRES_URL.rpartition('/')[0]}/{name}"
    env = bot_environment(url, "http://127.0.0.1:9/api/")
    try:
        upgrades = [
            await asyncio.create_subprocess_exec(
                *ecoute_command(), "db", "upgrade", env=env, cwd=tmp_path,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )
            for _ in range(INSTANCES)
        ]  # fmt: skip
        outputs = await asyncio.gather(*(process.communicate() for process in upgrades))
        assert [process.returncode for process in upgrades] == [0] * INSTANCES, outputs
        database = open_database(url)
        try:
            assert await is_current(database)
            async with database.engine.connect() as connection:
                versions = await connection.execute(text("SELECT count(*) FROM alembic_version"))
                assert versions.scalar_one() == 1
        finally:
            await database.dispose()
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
