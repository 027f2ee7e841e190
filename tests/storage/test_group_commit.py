"""The group-commit writer: shared transactions, per-unit savepoints, outages, shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.engine import Database, DatabaseUnavailable, open_database
from storage.group_commit import GroupCommit, run_once
from storage.tables import Service

SERVICE = Service.__table__  # type: ignore[attr-defined]


class Spy(GroupCommit):
    """A writer that records the size of each group it commits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sizes: list[int] = []

    async def _commit(self, group: list[Any]) -> None:
        self.sizes.append(len(group))
        await super()._commit(group)


def add(code: str, *, fail: BaseException | None = None):  # type: ignore[no-untyped-def]
    async def unit(connection: AsyncConnection) -> str:
        await connection.execute(
            insert(SERVICE).values(code=code, name=code, owners=[], **DEFAULTS)
        )
        if fail is not None:
            raise fail
        return code

    return unit


DEFAULTS = {
    "delay_minutes": 0,
    "sampling_percent": 100,
    "working_hours": "",
    "holidays": "FR",
    "paused": False,
}


async def codes(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        return set((await connection.scalars(select(SERVICE.c.code))).all())


async def add_many(connection: AsyncConnection, items: list[str]) -> Sequence[str | Exception]:
    """A batch runner: one statement for all items; SOFT is refused, BAD spoils the batch."""
    rows = [{"code": c, "name": c, "owners": [], **DEFAULTS} for c in items if c != "SOFT"]
    if rows:
        await connection.execute(insert(SERVICE), rows)
    if "BAD" in items:
        raise ValueError("BAD is not allowed")
    return [c.lower() if c != "SOFT" else LookupError("soft refusal") for c in items]


async def test_concurrent_units_share_a_transaction_and_each_get_their_result(
    database: Database,
) -> None:
    async with Spy(database) as writer:
        results = await asyncio.gather(*(writer.submit(add(f"S{n}")) for n in range(30)))
    assert results == [f"S{n}" for n in range(30)]
    assert sum(writer.sizes) == 30
    assert len(writer.sizes) < 30  # grouped: the first commit's wait gathered the others
    assert await codes(database) == {f"S{n}" for n in range(30)}


async def test_a_failing_unit_rolls_back_only_itself(database: Database) -> None:
    async with Spy(database) as writer:
        results = await asyncio.gather(
            writer.submit(add("A")),
            writer.submit(add("B", fail=ValueError("no B"))),
            writer.submit(add("C")),
            return_exceptions=True,
        )
    assert results[0] == "A"
    assert results[2] == "C"
    assert isinstance(results[1], ValueError)
    assert await codes(database) == {"A", "C"}


async def test_batched_items_run_together_and_fall_back_one_by_one(database: Database) -> None:
    async with Spy(database) as writer:
        good = await asyncio.gather(
            *(writer.submit_batched(add_many, c) for c in ("X", "Y", "SOFT")),
            return_exceptions=True,
        )
        mixed = await asyncio.gather(
            *(writer.submit_batched(add_many, c) for c in ("P", "BAD", "Q")),
            return_exceptions=True,
        )
    assert good[:2] == ["x", "y"]
    assert isinstance(good[2], LookupError)
    assert mixed[0] == "p"
    assert mixed[2] == "q"
    assert isinstance(mixed[1], ValueError)
    assert await codes(database) == {"X", "Y", "P", "Q"}


async def test_an_outage_fails_every_waiter_of_the_group_and_keeps_nothing(
    database: Database,
) -> None:
    outage = OperationalError("INSERT", {}, Exception("disk I/O error"))
    writer = Spy(database)
    await writer.start()
    # hold the writer so that the three units queue into one group
    gate = asyncio.Event()

    async def wait(connection: AsyncConnection) -> None:
        await gate.wait()

    blocker = asyncio.ensure_future(writer.submit(wait))
    await asyncio.sleep(0.05)
    group = [
        asyncio.ensure_future(writer.submit(add("D"))),
        asyncio.ensure_future(writer.submit(add("E", fail=outage))),
        asyncio.ensure_future(writer.submit(add("F"))),
    ]
    await asyncio.sleep(0.01)
    gate.set()
    await blocker
    results = await asyncio.gather(*group, return_exceptions=True)
    await writer.stop()

    assert all(isinstance(r, DatabaseUnavailable) for r in results)
    assert len({id(r) for r in results}) == 3
    assert await codes(database) == set()


async def test_stop_drains_the_queue_and_later_submissions_are_refused(database: Database) -> None:
    writer = GroupCommit(database)
    await writer.start()
    pending = [asyncio.ensure_future(writer.submit(add(f"Z{n}"))) for n in range(5)]
    await asyncio.sleep(0)
    await writer.stop()
    assert [await p for p in pending] == [f"Z{n}" for n in range(5)]
    with pytest.raises(DatabaseUnavailable):
        await writer.submit(add("late"))


async def test_a_waiter_that_gave_up_is_not_written(database: Database) -> None:
    async with GroupCommit(database) as writer:
        gate = asyncio.Event()

        async def wait(connection: AsyncConnection) -> None:
            await gate.wait()

        blocker = asyncio.ensure_future(writer.submit(wait))
        await asyncio.sleep(0.05)
        abandoned = asyncio.ensure_future(writer.submit(add("GONE")))
        kept = asyncio.ensure_future(writer.submit(add("KEPT")))
        await asyncio.sleep(0)
        abandoned.cancel()
        gate.set()
        await blocker
        assert await kept == "KEPT"
    assert await codes(database) == {"KEPT"}


async def test_too_many_waiting_is_refused(database: Database) -> None:
    async with GroupCommit(database, max_pending=2) as writer:
        gate = asyncio.Event()

        async def wait(connection: AsyncConnection) -> None:
            await gate.wait()

        blocker = asyncio.ensure_future(writer.submit(wait))
        await asyncio.sleep(0.05)
        queued = [asyncio.ensure_future(writer.submit(add(f"W{n}"))) for n in range(2)]
        await asyncio.sleep(0)
        with pytest.raises(DatabaseUnavailable, match="too many"):
            await writer.submit(add("W9"))
        gate.set()
        await asyncio.gather(blocker, *queued)


async def test_an_unreachable_database_is_database_unavailable(
    tmp_path: Path, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{tmp_path}/no/such/dir/x.db"
    else:
        url = "postgresql+asyncpg://postgres@127.0.0.1:1/nowhere"
    gone = open_database(url)
    try:
        async with GroupCommit(gone) as writer:
            with pytest.raises(DatabaseUnavailable):
                await writer.submit(add("A"))
            with pytest.raises(DatabaseUnavailable):
                await writer.submit_batched(add_many, "B")
        with pytest.raises(DatabaseUnavailable):
            await run_once(gone, add("C"))
    finally:
        await gone.dispose()
        # aiosqlite queues a stop after a failed connect and answers it on this loop: let it
        await asyncio.sleep(0.1)


async def test_run_once_commits_one_unit(database: Database) -> None:
    assert await run_once(database, add("ONE")) == "ONE"
    with pytest.raises(ValueError, match="no"):
        await run_once(database, add("TWO", fail=ValueError("no")))
    assert await codes(database) == {"ONE"}


async def test_a_group_stops_at_its_weight(database: Database) -> None:
    async with Spy(database, max_weight=10) as writer:
        gate = asyncio.Event()

        async def wait(connection: AsyncConnection) -> None:
            await gate.wait()

        blocker = asyncio.ensure_future(writer.submit(wait))
        await asyncio.sleep(0.05)
        heavy = [asyncio.ensure_future(writer.submit(add(f"H{n}"), weight=6)) for n in range(3)]
        light = [asyncio.ensure_future(writer.submit(add(f"L{n}"), weight=2)) for n in range(2)]
        await asyncio.sleep(0)
        gate.set()
        await asyncio.gather(blocker, *heavy, *light)
    # 6 | 6 | 6+2+2: one unit always goes, however heavy
    assert writer.sizes == [1, 1, 1, 3]
