"""One cron job per schedule in use, fired at the local hour; a catch-up at start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel import select

from bot.config import Settings
from scheduler.digest_jobs import (
    JOB_PREFIX,
    add_digest_jobs,
    cron_trigger,
    digest_fire,
    sync_digest_jobs,
)
from storage.engine import Database
from storage.tables import DigestRun, OwnerSchedule
from tests.domain.score_fixtures import AS_OF
from tests.scheduler.digest_stack import digest_stack

PARIS = ZoneInfo("Europe/Paris")


async def test_cron_fires_at_the_local_time(database: Database, settings: Settings) -> None:
    async with digest_stack(database, settings) as stack:
        after = datetime(2026, 3, 27, 12, tzinfo=PARIS)  # a Friday, the DST weekend ahead
        weekly = cron_trigger("mon,thu 09:00", stack.deps).get_next_fire_time(None, after)
        monthly = cron_trigger("1 07:30", stack.deps).get_next_fire_time(None, after)
        assert weekly == datetime(2026, 3, 30, 9, 0, tzinfo=PARIS)
        assert weekly.astimezone(UTC).hour == 7  # summer time
        assert monthly == datetime(2026, 4, 1, 7, 30, tzinfo=PARIS)


async def test_sync_keeps_one_job_per_schedule_and_catches_up(
    database: Database, settings: Settings
) -> None:
    async with digest_stack(database, settings) as stack:
        async with database.begin() as session:
            session.add(OwnerSchedule(user_id="UQUIET1", schedule="daily 18:00"))
        scheduler = AsyncIOScheduler(timezone=PARIS)
        add_digest_jobs(scheduler, stack.deps)
        scheduler.add_job(print, "interval", hours=1, id=f"{JOB_PREFIX}tue 10:00")
        # the bot restarts at 10:30, the Monday 09:00 digests not sent yet
        stack.clock[0] = AS_OF + timedelta(hours=1, minutes=30)
        await sync_digest_jobs(scheduler, stack.deps)
        ids = sorted(job.id for job in scheduler.get_jobs())
        assert ids == ["alerts", "digest-schedules", "digest:daily 18:00", "digest:mon 09:00"]
        job = scheduler.get_job("digest:mon 09:00")
        assert job.misfire_grace_time == 6 * 3600
        assert job.coalesce
        sent = [m for m in stack.sandbox.messages("UOWNER1") if m.blocks]
        assert len(sent) == 1  # caught up
        assert stack.sandbox.messages("UQUIET1") == []  # its daily period (yesterday 18:00) is past
        await sync_digest_jobs(scheduler, stack.deps)
        assert len([m for m in stack.sandbox.messages("UOWNER1") if m.blocks]) == 1
        assert stack.sandbox.violations == []


async def test_a_late_fire_keeps_its_scheduled_period(
    database: Database, settings: Settings
) -> None:
    async with digest_stack(database, settings) as stack:
        stack.clock[0] = AS_OF + timedelta(minutes=7)  # the job ran late
        await digest_fire(stack.deps, "mon 09:00")
        async with database.begin() as session:
            [run] = (await session.exec(select(DigestRun))).all()
        assert (run.key, run.period_start, run.fire_time) == ("digest:mon 09:00", AS_OF, AS_OF)
