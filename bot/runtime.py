"""Compose one running instance: dependencies, Bolt, the web server, the scheduler."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web
from slack_bolt.async_app import AsyncApp

from bot.app import build_bolt_app
from bot.config import Settings
from bot.deps import Deps
from bot.i18n import load_catalog
from bot.server import build_web_app
from bot.slack_client import build_slack_client
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


@dataclass(frozen=True)
class Instance:
    """A running bot: where it listens and what it holds."""

    deps: Deps
    bolt: AsyncApp
    dispatcher: Dispatcher
    url: str


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
    settings: Settings, *, host: str, port: int, migrate: bool, scheduler: bool = True
) -> AsyncIterator[Instance]:
    """Start everything inside the running loop; on exit, drain and stop in order."""
    deps = build_deps(settings)
    if migrate:
        await upgrade(deps.database)
    bolt = build_bolt_app(deps)
    runner = web.AppRunner(build_web_app(deps, bolt), handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0]
    dispatcher = Dispatcher(deps, DirectorySync(deps))
    jobs = build_scheduler(deps, dispatcher)
    if scheduler:
        jobs.start()
    try:
        yield Instance(
            deps=deps, bolt=bolt, dispatcher=dispatcher, url=f"http://{bound[0]}:{bound[1]}"
        )
    finally:
        # AsyncIOScheduler.shutdown cancels running jobs, so drain the dispatcher first.
        await dispatcher.drain()
        if scheduler:
            jobs.shutdown(wait=False)
        await runner.cleanup()
        await deps.database.dispose()


async def serve_forever(settings: Settings, *, host: str, port: int) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with running(settings, host=host, port=port, migrate=settings.is_sqlite) as instance:
        logger.info("Écoute listening on %s", instance.url)
        await stop.wait()
        logger.info("stopping")
