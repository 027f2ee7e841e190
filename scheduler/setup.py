"""APScheduler in the running loop: the dispatch loop and the periodic jobs."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.deps import Deps
from scheduler.digest_jobs import add_digest_jobs
from scheduler.directory import DirectorySync
from scheduler.dispatch import Dispatcher
from scheduler.lifecycle import run_lifecycle
from scheduler.notices import run_notices
from scheduler.retention import run_retention

logger = logging.getLogger("ecoute.scheduler")


def build_scheduler(deps: Deps, dispatcher: Dispatcher) -> AsyncIOScheduler:
    """Return a scheduler (not started) with every job registered under a stable id."""
    scheduler = AsyncIOScheduler(timezone=deps.settings.zone)
    scheduler.add_job(
        dispatcher.run_once,
        "interval",
        seconds=deps.settings.dispatch_interval_seconds,
        id="dispatch",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.add_job(
        _sync_directory,
        "interval",
        hours=1,
        args=[dispatcher.directory],
        id="directory",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        next_run_time=deps.now(),
        misfire_grace_time=3600,
    )
    add_digest_jobs(scheduler, deps)
    scheduler.add_job(
        run_lifecycle,
        "interval",
        minutes=1,
        args=[deps],
        id="lifecycle",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.add_job(
        run_notices,
        "interval",
        minutes=1,
        args=[deps],
        id="notices",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.add_job(
        run_retention,
        "cron",
        hour=3,
        minute=17,
        args=[deps],
        id="retention",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        # Idempotent and safe to run late: a missed night is caught up within the day.
        misfire_grace_time=20 * 3600,
    )
    return scheduler


async def _sync_directory(directory: DirectorySync) -> None:
    try:
        # Checked hourly, read when older than a day: a restart does not re-read it.
        await directory.refresh()
    except Exception:  # retried at the next check, or on demand by the dispatcher
        logger.exception("directory sync failed")
