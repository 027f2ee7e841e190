"""APScheduler in the running loop: the dispatch loop and the periodic jobs."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.deps import Deps
from scheduler.digest_jobs import add_digest_jobs
from scheduler.directory import DirectorySync
from scheduler.dispatch import Dispatcher
from scheduler.lifecycle import run_lifecycle
from scheduler.notices import run_notices
from scheduler.plans import ESCALATION_EVERY_MINUTES, run_escalations_safely, run_plan_reminders
from scheduler.retention import run_retention

logger = logging.getLogger("ecoute.scheduler")


def build_scheduler(deps: Deps, dispatcher: Dispatcher) -> AsyncIOScheduler:
    """Return a scheduler (not started) with every job registered under a stable id."""
    scheduler = AsyncIOScheduler(timezone=deps.settings.zone)
    every = deps.settings.dispatch_interval_seconds
    add_job(scheduler, dispatcher.run_once, "dispatch", "interval", seconds=every)
    add_job(
        scheduler,
        _sync_directory,
        "directory",
        "interval",
        args=(dispatcher.directory,),
        hours=1,
        next_run_time=deps.now(),
        misfire_grace_time=3600,
    )
    add_digest_jobs(scheduler, deps)
    add_job(scheduler, run_lifecycle, "lifecycle", "interval", args=(deps,), minutes=1)
    add_job(scheduler, run_notices, "notices", "interval", args=(deps,), minutes=1)
    add_job(scheduler, run_plan_reminders, "plans", "interval", args=(deps,), minutes=1)
    add_job(
        scheduler,
        run_escalations_safely,
        "escalations",
        "interval",
        args=(deps,),
        minutes=ESCALATION_EVERY_MINUTES,
    )
    # Idempotent and safe to run late: a missed night is caught up within the day.
    add_job(
        scheduler,
        run_retention,
        "retention",
        "cron",
        args=(deps,),
        hour=3,
        minute=17,
        misfire_grace_time=20 * 3600,
    )
    return scheduler


def add_job(
    scheduler: AsyncIOScheduler,
    func: Callable[..., Awaitable[Any]],
    job_id: str,
    trigger: str,
    *,
    args: tuple[Any, ...] = (),
    misfire_grace_time: int | None = None,
    **trigger_args: Any,
) -> None:
    """Register a job under a stable id: one run at a time, missed runs coalesced into one."""
    scheduler.add_job(
        func,
        trigger,
        args=list(args),
        id=job_id,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=misfire_grace_time,
        **trigger_args,
    )


async def _sync_directory(directory: DirectorySync) -> None:
    try:
        # Checked hourly, read when older than a day: a restart does not re-read it.
        await directory.refresh()
    except Exception:  # retried at the next check, or on demand by the dispatcher
        logger.exception("directory sync failed")
