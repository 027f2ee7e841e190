"""A second `ecoute serve` on one SQLite file refuses to start; a SIGKILLed one blocks nothing."""

from __future__ import annotations

import asyncio
import shutil
import signal
from pathlib import Path

from tests.production.harness import BotProcess, bot_environment, ecoute_command


async def test_a_second_server_on_one_sqlite_file_refuses_to_start(
    sqlite_template: Path, tmp_path: Path
) -> None:
    database = tmp_path / "ecoute.db"
    shutil.copyfile(sqlite_template, database)
    env = bot_environment(f"sqlite+aiosqlite:///{database}", "http://127.0.0.1:9/api/")
    first = BotProcess(env, tmp_path)
    try:
        await first.start()
        assert first.process is not None
        second = await asyncio.create_subprocess_exec(
            *ecoute_command(),
            "serve",
            "--port",
            "0",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(second.communicate(), timeout=30)
        assert second.returncode == 2
        assert err.decode().splitlines() == [
            f"ecoute: another `ecoute serve` (pid {first.process.pid}) already uses {database}: "
            "SQLite allows one process; use PostgreSQL to run several instances"
        ]
        # The kernel drops the lock with its holder, even one killed without warning.
        first.kill(signal.SIGKILL)
        await first.wait()
        await first.start()
        assert await first.stop() == 0
    finally:
        await first.ensure_dead()
