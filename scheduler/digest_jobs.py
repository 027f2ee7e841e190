"""Digest and alert jobs: one cron per distinct schedule, a start-up catch-up, the alert loop."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlmodel import select

from bot.deps import Deps
from domain.charter_formats import DAYS, parse_schedule
from domain.digests import DEFAULT_SCHEDULE, period_start
from scheduler.alerts import INTERVAL_MINUTES, evaluate_alerts
from scheduler.digests import GRACE, run_digests
from storage.tables import OwnerSchedule

logger = logging.getLogger("ecoute.scheduler")
JOB_PREFIX = "digest:"
SYNC_JOB = "digest-schedules"
# The charter may change the schedules: look again this often.
SYNC_EVERY = timedelta(hours=1)


def add_digest_jobs(scheduler: AsyncIOScheduler, deps: Deps) -> None:
    """Register the schedule sync (which also catches up at start) and the alert loop."""
    scheduler.add_job(
        sync_digest_jobs,
        "interval",
        seconds=int(SYNC_EVERY.total_seconds()),
        args=[scheduler, deps],
        id=SYNC_JOB,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        next_run_time=deps.now(),
        misfire_grace_time=int(SYNC_EVERY.total_seconds()),
    )
    scheduler.add_job(
        _evaluate_alerts,
        "interval",
        minutes=INTERVAL_MINUTES,
        args=[deps],
        id="alerts",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        next_run_time=deps.now() + timedelta(minutes=1),
        misfire_grace_time=INTERVAL_MINUTES * 60,
    )


def cron_trigger(schedule: str, deps: Deps) -> CronTrigger:
    """Return the APScheduler trigger of a charter schedule (`mon,thu 09:00`, `1 09:00`)."""
    parsed = parse_schedule(schedule)
    if parsed.month_day is not None:
        return CronTrigger(
            day=parsed.month_day,
            hour=parsed.at.hour,
            minute=parsed.at.minute,
            timezone=deps.settings.zone,
        )
    return CronTrigger(
        day_of_week=",".join(DAYS[d] for d in sorted(parsed.weekdays)),
        hour=parsed.at.hour,
        minute=parsed.at.minute,
        timezone=deps.settings.zone,
    )


async def sync_digest_jobs(
    scheduler: AsyncIOScheduler, deps: Deps, *, catch_up: bool = True
) -> None:
    """Keep one cron job per schedule in use, then send any period missed within the grace."""
    try:
        async with deps.database.begin() as session:
            rows = (await session.exec(select(OwnerSchedule.schedule).distinct())).all()
        schedules = {DEFAULT_SCHEDULE, *rows}
        for schedule in schedules:
            scheduler.add_job(
                digest_fire,
                cron_trigger(schedule, deps),
                args=[deps, schedule],
                id=f"{JOB_PREFIX}{schedule}",
                replace_existing=True,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=int(GRACE.total_seconds()),
            )
        for job in scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id[len(JOB_PREFIX) :] not in schedules:
                job.remove()
        if catch_up:
            # Runs every hour too: a no-op unless a period within the grace has not gone.
            await run_digests(deps, fire_time=deps.now(), grace=GRACE)
    except Exception:  # retried at the next sync
        logger.exception("digest schedules not synchronised")


async def digest_fire(deps: Deps, schedule: str) -> None:
    """Send the digests of the period this cron fired for."""
    # APScheduler does not pass the scheduled time; the latest occurrence of the schedule at
    # or before now is it (a late run within the grace cannot reach the next occurrence).
    fire_time = period_start(schedule, deps.now(), deps.settings.zone)
    try:
        await run_digests(deps, fire_time=fire_time, grace=GRACE)
    except Exception:  # the hourly sync catches the period up within the grace
        logger.exception("digest run for %s at %s failed", schedule, fire_time.isoformat())


async def _evaluate_alerts(deps: Deps) -> None:
    try:
        await evaluate_alerts(deps)
    except Exception:  # evaluated again in a few minutes
        logger.exception("alert evaluation failed")
