"""Compose one running instance: dependencies, Bolt, the web server, the scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_JOB_SUBMITTED,
)
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.app import build_bolt_app
from bot.config import Settings
from bot.deps import Deps
from bot.i18n import load_catalog
from bot.server import build_web_app
from bot.slack_client import build_slack_client
from bot.socket_mode import app_token, socket_mode
from bot.sqlite_guard import single_process
from domain.privacy import Pseudonymizer
from scheduler.directory import DirectorySync
from scheduler.dispatch import Dispatcher
from scheduler.setup import build_scheduler
from storage.engine import open_database
from storage.migrate import upgrade
from storage.types import utcnow

logger = logging.getLogger("ecoute")
# max_instances=1 is how one dispatch pass at a time is guaranteed: a skipped overlapping
# run is by design, not worth a warning every interval.
logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
# How long a stop waits for scheduled jobs under way (a digest, the directory sync).
JOBS_GRACE_SECONDS = 20.0


@dataclass(frozen=True)
class Instance:
    """A running bot: where it listens and what it holds."""

    deps: Deps
    bolt: AsyncApp
    dispatcher: Dispatcher
    url: str
    socket_mode: AsyncSocketModeHandler | None = None


class RunningJobs:
    """Count the scheduler's job runs under way, so a stop can wait for them."""

    def __init__(self, jobs: AsyncIOScheduler) -> None:
        self.count = 0
        self.idle = asyncio.Event()
        self.idle.set()
        events = EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED
        jobs.add_listener(self._on_event, events)

    def _on_event(self, event: Any) -> None:
        # One submission carries its run times; each ends with its own event.
        if event.code == EVENT_JOB_SUBMITTED:
            self.count += len(event.scheduled_run_times)
        else:
            self.count = max(0, self.count - 1)
        if self.count:
            self.idle.clear()
        else:
            self.idle.set()

    async def wait(self) -> None:
        """Wait until no job runs."""
        await self.idle.wait()


def build_deps(settings: Settings) -> Deps:
    """Build the process's shared services from settings (no I/O yet)."""
    settings.require("slack_bot_token", "slack_signing_secret", "pseudonym_key")
    return Deps(
        settings=settings,
        database=open_database(settings.database_url),
        slack=build_slack_client(settings),
        catalog=load_catalog(settings.default_locale),
        pseudonymize=Pseudonymizer(settings.secret("pseudonym_key").encode()),
        now=utcnow,
    )


@asynccontextmanager
async def running(
    settings: Settings,
    *,
    host: str,
    port: int,
    migrate: bool,
    scheduler: bool = True,
    socket_mode_on: bool = False,
) -> AsyncIterator[Instance]:
    """Start everything inside the running loop; on exit, drain and stop in order.

    With `socket_mode_on`, Slack's events arrive over Socket Mode and the web server keeps
    only the intake API, the probes and the metrics.
    """
    deps = build_deps(settings)
    if socket_mode_on:
        app_token(settings)  # a missing token stops the start before anything runs
    async with AsyncExitStack() as stack:
        # Exit callbacks run last-in first-out: the lock is released after everything else.
        stack.enter_context(single_process(settings.database_url))
        stack.push_async_callback(deps.database.dispose)
        if migrate:
            await upgrade(deps.database)
            logger.info("database schema at the latest migration")
        bolt = build_bolt_app(deps)
        web_app = build_web_app(deps, None if socket_mode_on else bolt)
        runner = web.AppRunner(web_app, handle_signals=False, access_log=None)
        await runner.setup()
        stack.push_async_callback(runner.cleanup)
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0]
        handler = None
        if socket_mode_on:
            handler = await stack.enter_async_context(socket_mode(bolt, settings))
        dispatcher = Dispatcher(deps, DirectorySync(deps))
        jobs = build_scheduler(deps, dispatcher)
        under_way = RunningJobs(jobs)
        if scheduler:
            jobs.start()
        try:
            yield Instance(
                deps=deps,
                bolt=bolt,
                dispatcher=dispatcher,
                url=f"http://{bound[0]}:{bound[1]}",
                socket_mode=handler,
            )
        finally:
            # AsyncIOScheduler.shutdown cancels running jobs, and a job cancelled inside a
            # database call leaks its connection: drain the dispatcher, let the others end.
            await dispatcher.drain()
            if scheduler:
                jobs.pause()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(JOBS_GRACE_SECONDS):
                        await under_way.wait()
                jobs.shutdown(wait=False)


async def serve_forever(
    settings: Settings, *, host: str, port: int, migrate: bool, socket_mode_on: bool = False
) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with running(
        settings, host=host, port=port, migrate=migrate, socket_mode_on=socket_mode_on
    ) as instance:
        mode = "Socket Mode" if socket_mode_on else "HTTP mode"
        logger.info("Écoute listening on %s (%s)", instance.url, mode)
        await stop.wait()
        logger.info("stopping: finishing sends under way, releasing the rest")
