"""The intake domain on a real database: accept, replays, conflicts, merged submissions."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from functools import partial

import pytest
from sqlalchemy import func, select, update
from sqlmodel import col

from domain.intake import (
    MAX_DELAY_MINUTES,
    IntakeConflict,
    IntakeInvalid,
    MustIsolate,
    NewInteraction,
    ServiceDirectory,
    Submission,
    accept,
    accept_many,
    due_at,
)
from storage.engine import Database
from storage.group_commit import GroupCommit, run_once
from storage.tables import Interaction, Pulse, Service

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def item(external_id: str = "T-1", **changes: object) -> NewInteraction:
    base = NewInteraction(
        source="glpi",
        external_id=external_id,
        service="RH",
        occurred_at=datetime(2025, 3, 1, 8, 30, tzinfo=UTC),
        slack_user_id="U0123ABCD",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def add_service(database: Database, code: str = "RH", **fields: object) -> int:
    async with database.begin() as session:
        service = Service(code=code, name=code, **fields)  # type: ignore[arg-type]
        session.add(service)
        await session.flush()
        assert service.id is not None
        return service.id


async def counts(database: Database) -> tuple[int, int]:
    async with database.engine.connect() as connection:
        interactions = await connection.scalar(select(func.count()).select_from(Interaction))
        pulses = await connection.scalar(select(func.count()).select_from(Pulse))
    return interactions or 0, pulses or 0


@pytest.fixture
async def rh(database: Database) -> int:
    return await add_service(database, delay_minutes=90)


async def test_accept_stores_each_interaction_with_a_pending_pulse(
    database: Database, rh: int
) -> None:
    receipts = await run_once(
        database,
        partial(
            accept,
            items=[item("A"), item("B", slack_user_id=None, email="x@y.fr")],
            services=ServiceDirectory(),
            now=NOW,
        ),
    )

    assert [(r.external_id, r.status) for r in receipts] == [("A", "accepted"), ("B", "accepted")]
    async with database.engine.connect() as connection:
        rows = (await connection.execute(select(Pulse).order_by(col(Pulse.id)))).all()
    assert [(p.recipient, p.recipient_email, p.status) for p in rows] == [
        ("U0123ABCD", None, "pending"),
        (None, "x@y.fr", "pending"),
    ]
    assert rows[0].due_at == datetime(2025, 3, 1, 10, 0, tzinfo=UTC)  # 08:30 + 90 minutes
    assert {p.service_id for p in rows} == {rh}


async def test_a_replay_is_a_duplicate_and_a_change_a_conflict(database: Database, rh: int) -> None:
    services = ServiceDirectory()
    first = await run_once(database, partial(accept, items=[item()], services=services, now=NOW))
    again = await run_once(database, partial(accept, items=[item()], services=services, now=NOW))

    assert again[0].status == "duplicate"
    assert (again[0].interaction_id, again[0].pulse_id) == (
        first[0].interaction_id,
        first[0].pulse_id,
    )
    with pytest.raises(IntakeConflict) as caught:
        await run_once(
            database,
            partial(
                accept, items=[item("new"), item(summary="changed")], services=services, now=NOW
            ),
        )
    assert [p.index for p in caught.value.problems] == [1]
    assert await counts(database) == (1, 1)


async def test_refusals_name_every_item(database: Database, rh: int) -> None:
    await add_service(database, "OLD", archived_at=NOW)
    items = [item("A"), item("A"), item("B", service="XX"), item("C", service="OLD")]
    with pytest.raises(IntakeInvalid) as caught:
        await run_once(database, partial(accept, items=items, services=ServiceDirectory(), now=NOW))
    assert [(p.index, p.field) for p in caught.value.problems] == [
        (1, "external_id"),
        (2, "service"),
        (3, "service"),
    ]
    assert caught.value.fields["[2].service"] == "unknown service 'XX'"
    assert await counts(database) == (0, 0)


async def test_merged_submissions_behave_as_if_one_after_the_other(
    database: Database, rh: int
) -> None:
    services = ServiceDirectory()

    async def run(*submissions: list[NewInteraction]) -> list[object]:
        async def unit(connection):  # type: ignore[no-untyped-def]
            return await accept_many(
                connection,
                submissions=[Submission(items, NOW) for items in submissions],
                services=services,
            )

        return list(await run_once(database, unit))

    same, changed, invalid = await run([item("S")], [item("S")], [item("X", service="XX")])
    assert same[0].status == "accepted"  # type: ignore[index]
    assert changed[0].status == "duplicate"  # type: ignore[index]
    assert changed[0].interaction_id == same[0].interaction_id  # type: ignore[index]
    assert isinstance(invalid, IntakeInvalid)

    # the later one conflicts but wrote nothing: it alone is refused
    first, second = await run([item("T")], [item("T", summary="other")])
    assert first[0].status == "accepted"  # type: ignore[index]
    assert isinstance(second, IntakeConflict)

    # the later one conflicts after inserting a row of its own: the caller must isolate
    with pytest.raises(MustIsolate):
        await run([item("U")], [item("V"), item("U", summary="other")])
    assert await counts(database) == (2, 2)


def test_the_fingerprint_sees_every_field_but_not_the_offset() -> None:
    base = item()
    paris = timezone(timedelta(hours=1))
    assert (
        base.fingerprint()
        == item(occurred_at=datetime(2025, 3, 1, 9, 30, tzinfo=paris)).fingerprint()
    )
    variants = [
        item(source="other"),
        item("T-2"),
        item(service="LOG"),
        item(slack_user_id="U999999"),
        item(slack_user_id=None, email="a@b.fr"),
        item(occurred_at=datetime(2025, 3, 1, 8, 31, tzinfo=UTC)),
        item(reference="R"),
        item(summary="S"),
        item(send_after=NOW),
        item(reference="", summary=None),
    ]
    hashes = {base.fingerprint(), *(v.fingerprint() for v in variants)}
    assert len(hashes) == len(variants) + 1
    # fields cannot bleed into each other
    assert (
        item(reference="ab", summary="c").fingerprint()
        != item(reference="a", summary="bc").fingerprint()
    )


def test_due_at_prefers_send_after_and_bounds_the_delay() -> None:
    occurred = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    assert due_at(item(), delay_minutes=60) == occurred + timedelta(minutes=60)
    assert due_at(item(send_after=NOW), delay_minutes=60) == NOW
    assert due_at(item(), delay_minutes=-5) == occurred
    assert due_at(item(), delay_minutes=10**12) == occurred + timedelta(minutes=MAX_DELAY_MINUTES)
    late = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    assert due_at(item(occurred_at=late), delay_minutes=120) == late


async def test_the_service_directory_caches_for_its_ttl(database: Database, rh: int) -> None:
    clock = [0.0]
    directory = ServiceDirectory(ttl=5, clock=lambda: clock[0])
    async with database.engine.begin() as connection:
        assert not (await directory.resolve(connection, {"RH"}))["RH"].archived  # type: ignore[union-attr]
        await connection.execute(update(Service).values(archived_at=NOW))
        # within the TTL the cached answer stands; a code never seen is read at once
        assert not (await directory.resolve(connection, {"RH"}))["RH"].archived  # type: ignore[union-attr]
        assert (await directory.resolve(connection, {"NEW"}))["NEW"] is None
        clock[0] = 5.1
        assert (await directory.resolve(connection, {"RH"}))["RH"].archived  # type: ignore[union-attr]


async def test_through_the_group_commit_a_spoilt_group_is_rerun_one_by_one(
    database: Database, rh: int
) -> None:
    from handlers.intake.routes import batch_runner

    runner = batch_runner(ServiceDirectory())
    async with GroupCommit(database) as writer:
        gate = asyncio.Event()

        async def hold(connection: object) -> None:
            await gate.wait()

        blocker = asyncio.ensure_future(writer.submit(hold))
        await asyncio.sleep(0.05)
        # queued together: B inserts K2, then conflicts on K1 which A inserts first
        a = asyncio.ensure_future(writer.submit_batched(runner, Submission([item("K1")], NOW)))
        b = asyncio.ensure_future(
            writer.submit_batched(
                runner, Submission([item("K2"), item("K1", summary="other")], NOW)
            )
        )
        c = asyncio.ensure_future(writer.submit_batched(runner, Submission([item("K3")], NOW)))
        await asyncio.sleep(0)
        gate.set()
        await blocker
        results = await asyncio.gather(a, b, c, return_exceptions=True)

    assert results[0][0].status == "accepted"  # type: ignore[index]
    assert isinstance(results[1], IntakeConflict)
    assert [p.index for p in results[1].problems] == [1]
    assert results[2][0].status == "accepted"  # type: ignore[index]
    async with database.engine.connect() as connection:
        keys = set((await connection.execute(select(col(Interaction.external_id)))).scalars())
    assert keys == {"K1", "K3"}
    assert await counts(database) == (2, 2)
