"""Periods from schedules, owners from the charter, and the claims that make digests go once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from domain.digest_runs import (
    DeliveryClaim,
    Refused,
    claim_delivery,
    claim_run,
    delivery_status,
    settle_delivery,
)
from domain.digests import (
    COMMENT_MIN_RESPONDENTS,
    digest_figures,
    owners_of,
    period_start,
    plan_digests,
)
from domain.tallies import load_commitments
from storage.engine import Database
from storage.tables import Comment, DeliveryStatus, OwnerSchedule, Person, Pulse
from tests.domain.score_fixtures import AS_OF, AnswerRow, PulseRow, add_pulses, seed_charter

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("schedule", "fire", "expected"),
    [
        # Monday 2 March 2026, 09:00 in Paris, and a few minutes late
        ("mon 09:00", paris(2026, 3, 2, 9, 0), paris(2026, 3, 2, 9, 0)),
        ("mon 09:00", paris(2026, 3, 2, 9, 7), paris(2026, 3, 2, 9, 0)),
        # a second early is still the previous week's period
        ("mon 09:00", paris(2026, 3, 2, 8, 59, 59), paris(2026, 2, 23, 9, 0)),
        ("mon,thu 09:00", paris(2026, 3, 1, 12, 0), paris(2026, 2, 26, 9, 0)),
        ("mon-fri 08:30", paris(2026, 3, 1, 12, 0), paris(2026, 2, 27, 8, 30)),
        ("daily 18:00", paris(2026, 3, 2, 9, 0), paris(2026, 3, 1, 18, 0)),
        ("1 09:00", paris(2026, 3, 20, 9, 0), paris(2026, 3, 1, 9, 0)),
        ("28 09:00", paris(2026, 3, 20, 9, 0), paris(2026, 2, 28, 9, 0)),
        # across the spring-forward night: 09:00 local is 07:00 UTC after, 08:00 before
        ("mon 09:00", paris(2026, 3, 30, 10, 0), paris(2026, 3, 30, 9, 0)),
    ],
)
def test_period_is_the_latest_firing_at_or_before_the_fire_time(
    schedule: str, fire: datetime, expected: datetime
) -> None:
    start = period_start(schedule, fire.astimezone(UTC), PARIS)
    assert start == expected
    assert start.tzinfo == UTC


def test_dst_keeps_the_local_hour() -> None:
    before = period_start("mon 09:00", datetime(2026, 3, 23, 12, tzinfo=UTC), PARIS)
    after = period_start("mon 09:00", datetime(2026, 3, 30, 12, tzinfo=UTC), PARIS)
    assert (before.hour, after.hour) == (8, 7)


async def test_owners_come_from_commitments_and_their_services(database: Database) -> None:
    await seed_charter(database, service_owners=("USERVICE", "UOWNER1"))
    async with database.begin() as session:
        commitments = await load_commitments(session)
    by_code = {c.code: c.id for c in commitments}
    mapping = owners_of(commitments, {commitments[0].service_id or 0: ["USERVICE", "UOWNER1"]})
    # MEAN is common to all services: only its own owners get it
    assert by_code["MEAN"] not in mapping["USERVICE"]
    assert set(mapping["UOWNER1"]) == set(by_code.values())
    assert len(mapping["UOWNER1"]) == len(set(mapping["UOWNER1"]))


async def test_plan_reads_each_owners_schedule_and_language(database: Database) -> None:
    await seed_charter(database)
    async with database.begin() as session:
        session.add(OwnerSchedule(user_id="USERVICE", schedule="thu 08:00"))
        session.add(Person(user_id="UOWNER1", locale="en-GB", deleted=True))
    async with database.begin() as session:
        commitments = await load_commitments(session)
        plans = await plan_digests(session, fire_time=AS_OF, zone=PARIS, commitments=commitments)
        only = await plan_digests(
            session, fire_time=AS_OF, zone=PARIS, commitments=commitments, owner="UNOBODY"
        )
    by_owner = {plan.owner: plan for plan in plans}
    assert by_owner["UOWNER1"].period_start == AS_OF
    assert by_owner["UOWNER1"].locale == "en-GB"
    assert by_owner["UOWNER1"].deactivated
    assert by_owner["USERVICE"].period_start == paris(2026, 2, 26, 8, 0)
    assert by_owner["USERVICE"].run_key == "digest:thu 08:00"
    assert only == []


async def test_comments_show_only_from_ten_respondents_and_masked(database: Database) -> None:
    seeded = await seed_charter(database)
    at = AS_OF - timedelta(days=2)
    rows = [
        PulseRow(0, f"r{i}", "answered", at, (AnswerRow(0, 4, at),))
        for i in range(COMMENT_MIN_RESPONDENTS)
    ] + [PulseRow(2, f"y{i}", "answered", at, (AnswerRow(0, 1, at),)) for i in range(5)]
    await add_pulses(database, seeded, rows)
    async with database.begin() as session:
        pulses = (await session.exec(select(Pulse).order_by(col(Pulse.id)))).all()
        for index, pulse in enumerate(pulses):
            session.add(
                Comment(
                    pulse_id=pulse.id,
                    commitment_id=pulse.commitment_id,
                    respondent=pulse.respondent,
                    text=f"merci {index}, rappelez le 06 12 34 56 78",
                    created_at=at + timedelta(minutes=index),
                )
            )
    async with database.begin() as session:
        figures = await digest_figures(session, as_of=AS_OF)
    csat, yes = seeded.commitment_ids[0], seeded.commitment_ids[2]
    shown = figures.comments[csat]
    assert len(shown) == 3
    assert shown[0].startswith(f"merci {COMMENT_MIN_RESPONDENTS - 1}")  # newest first
    assert all("06 12" not in text and "[téléphone]" in text for text in shown)
    assert yes not in figures.comments  # five respondents: too few to show what they wrote


async def _claim(
    database: Database, *, owner: str = "U1", now: datetime = AS_OF, force: bool = False
) -> DeliveryClaim | Refused:
    async with database.begin() as session:
        run_id = await claim_run(
            session, key="digest:mon 09:00", period_start=AS_OF, fire_time=AS_OF, now=AS_OF
        )
        return await claim_delivery(session, run_id=run_id, owner=owner, now=now, force=force)


async def test_a_digest_is_claimed_once_per_owner_and_period(database: Database) -> None:
    first = await _claim(database)
    assert isinstance(first, DeliveryClaim)
    assert not first.in_doubt
    assert await _claim(database) == Refused.IN_PROGRESS
    async with database.begin() as session:
        await settle_delivery(
            session, delivery_id=first.delivery_id, status=DeliveryStatus.SENT, now=AS_OF
        )
    assert await _claim(database) == Refused.ALREADY_SENT
    assert isinstance(await _claim(database, owner="U2"), DeliveryClaim)
    forced = await _claim(database, force=True)
    assert isinstance(forced, DeliveryClaim)
    assert forced.delivery_id == first.delivery_id
    async with database.begin() as session:
        status = await delivery_status(
            session, key="digest:mon 09:00", period_start=AS_OF, owner="U1"
        )
    assert status == DeliveryStatus.SENDING


async def test_a_send_cut_short_is_taken_again_in_doubt(database: Database) -> None:
    first = await _claim(database)
    assert isinstance(first, DeliveryClaim)
    later = await _claim(database, now=AS_OF + timedelta(minutes=11))
    assert isinstance(later, DeliveryClaim)
    assert later.in_doubt


async def test_failed_and_unreachable(database: Database) -> None:
    first = await _claim(database)
    assert isinstance(first, DeliveryClaim)
    async with database.begin() as session:
        await settle_delivery(
            session, delivery_id=first.delivery_id, status=DeliveryStatus.FAILED, now=AS_OF
        )
    retry = await _claim(database)
    assert isinstance(retry, DeliveryClaim)
    async with database.begin() as session:
        await settle_delivery(
            session, delivery_id=retry.delivery_id, status=DeliveryStatus.UNREACHABLE, now=AS_OF
        )
    assert await _claim(database) == Refused.UNREACHABLE


async def test_instances_racing_for_a_digest_get_one_claim(database: Database) -> None:
    outcomes = await asyncio.gather(*(_claim(database) for _ in range(6)))
    assert sum(isinstance(o, DeliveryClaim) for o in outcomes) == 1
