"""Group commit: concurrent units of work share one transaction and one durable commit."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.engine import Database, DatabaseUnavailable, is_outage

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741  (the item type of a batch runner)

Unit = Callable[[AsyncConnection], Awaitable[T]]
# Runs many items at once; returns one outcome per item: a result, or the Exception that item
# raised having written nothing. Raising instead rolls all back and each item is run alone.
BatchRunner = Callable[[AsyncConnection, list[I]], Awaitable[Sequence[T | Exception]]]

log = logging.getLogger(__name__)


def is_unavailable(exc: BaseException) -> bool:
    """Tell whether `exc` means the database is out of reach (so the answer is 503)."""
    return isinstance(exc, (DatabaseUnavailable, PoolTimeout)) or is_outage(exc)


@dataclass(eq=False)
class _Pending(Generic[T]):
    unit: Unit[T] | None
    runner: BatchRunner[Any, T] | None = None
    item: Any = None
    weight: int = 1
    future: asyncio.Future[T] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    def settle(self, outcome: T | BaseException) -> None:
        if self.future.done():
            return
        if isinstance(outcome, BaseException):
            self.future.set_exception(outcome)
        else:
            self.future.set_result(outcome)


class GroupCommit:
    """Run submitted work together: one transaction, a SAVEPOINT per unit, one commit.

    A single background task takes whatever queued while the previous commit ran (up to
    `max_units` units or `max_weight` in all), so under load one fsync serves many requests,
    and with one writer SQLite never waits on its own lock. A unit that raises is rolled back
    to its savepoint and its waiter gets the exception; the others still commit. Items
    submitted with the same batch runner are run by one call of it (a few statements for the
    whole group instead of a few per request); if that call raises, the group is rolled back
    and rerun with each item alone in its own savepoint. If the database fails, every waiter
    of the group gets DatabaseUnavailable. Nobody hears of success before COMMIT has returned.
    """

    def __init__(
        self,
        database: Database,
        *,
        max_units: int = 512,
        max_weight: int = 5_000,
        max_pending: int = 20_000,
    ) -> None:
        self.database = database
        self.max_units = max_units
        self.max_weight = max_weight
        self.max_pending = max_pending
        self._queue: deque[_Pending[Any]] = deque()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._connection: AsyncConnection | None = None
        self._reused = False
        self._committing = False

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start the writer task."""
        if self._task is None:
            self._closing = False
            self._wakeup = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name="group-commit")

    async def stop(self) -> None:
        """Commit what is queued, then stop; later submissions get DatabaseUnavailable."""
        self._closing = True
        self._wakeup.set()
        if self._task is not None:
            task, self._task = self._task, None
            await task

    async def submit(self, unit: Unit[T], *, weight: int = 1) -> T:
        """Run `unit` in the next group and return its result once that group has committed."""
        return await self._enqueue(_Pending(unit, weight=weight))

    async def submit_batched(self, runner: BatchRunner[I, T], item: I, *, weight: int = 1) -> T:
        """Run `item` through `runner` with the other items queued for it; return its outcome.

        `weight` (rows it writes, say) bounds a group's size beside the count of units.
        """
        return await self._enqueue(_Pending(None, runner, item, weight))

    async def _enqueue(self, pending: _Pending[T]) -> T:
        if self._task is None or self._task.done() or self._closing:
            raise DatabaseUnavailable("the writer is not running")
        if len(self._queue) >= self.max_pending:
            raise DatabaseUnavailable("too many writes waiting")
        self._queue.append(pending)
        self._wakeup.set()
        return await pending.future

    async def _run(self) -> None:
        try:
            while self._queue or not self._closing:
                if not self._queue:
                    self._wakeup.clear()
                    await self._wakeup.wait()
                    continue
                group: list[_Pending[Any]] = []
                weight = 0
                while self._queue and len(group) < self.max_units:
                    if group and weight + self._queue[0].weight > self.max_weight:
                        break
                    pending = self._queue.popleft()
                    if not pending.future.done():  # a waiter that gave up needs nothing written
                        group.append(pending)
                        weight += pending.weight
                if group:
                    await self._commit(group)
        finally:
            # cancelled or crashed: nobody may wait forever
            _fail(list(self._queue), DatabaseUnavailable("the writer stopped"))
            self._queue.clear()
            await self._discard()

    async def _commit(self, group: list[_Pending[Any]]) -> None:
        try:
            try:
                outcomes = await self._transaction(group)
            except Exception as exc:
                # a kept connection may have died while idle (server restart, failover): if
                # nothing reached COMMIT, running the group again on a new one is safe
                if not (self._reused and is_unavailable(exc) and not self._committing):
                    raise
                outcomes = await self._transaction(group)
        except BaseException as exc:
            if is_unavailable(exc):
                log.warning("group commit of %d units failed: %s", len(group), _first_line(exc))
            elif isinstance(exc, Exception):
                log.exception("group commit of %d units failed", len(group))
            # nothing of the group is known to be stored: a retry by the client is right
            _fail(group, DatabaseUnavailable(_first_line(exc)), cause=exc)
            if not isinstance(exc, Exception):
                raise
            return
        for pending, outcome in outcomes:
            pending.settle(outcome)

    async def _transaction(self, group: list[_Pending[Any]]) -> list[tuple[_Pending[Any], Any]]:
        self._reused = self._connection is not None
        self._committing = False
        if self._connection is None:
            # one connection kept for the writer's life: no pool checkout, reset or ping per group
            self._connection = await self.database.engine.connect()
        connection = self._connection
        try:
            try:
                return await self._run_group(connection, group, isolate=False)
            except _Isolate:
                return await self._run_group(connection, group, isolate=True)
        except BaseException:
            await self._discard()
            raise

    async def _run_group(
        self, connection: AsyncConnection, group: list[_Pending[Any]], *, isolate: bool
    ) -> list[tuple[_Pending[Any], Any]]:
        outcomes: list[tuple[_Pending[Any], Any]] = []
        async with connection.begin():
            for work in _by_runner(group):
                outcomes.extend(await _run_work(connection, work, isolate=isolate))
            self._committing = True
        return outcomes

    async def _discard(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.invalidate()
            except Exception as exc:  # closing a broken connection may fail too; it is gone
                log.debug("discarding the writer's connection: %s", exc)


class _Isolate(Exception):
    """A shared batch raised: roll the group back and rerun it, one savepoint per item."""


def _by_runner(group: list[_Pending[Any]]) -> list[list[_Pending[Any]]]:
    """Split a group into plain units (one each) and one list per batch runner."""
    work: list[list[_Pending[Any]]] = []
    batches: dict[Any, list[_Pending[Any]]] = {}
    for pending in group:
        if pending.runner is None:
            work.append([pending])
        elif pending.runner in batches:
            batches[pending.runner].append(pending)
        else:
            batches[pending.runner] = [pending]
            work.append(batches[pending.runner])
    return work


async def _run_work(
    connection: AsyncConnection, work: list[_Pending[Any]], *, isolate: bool
) -> list[tuple[_Pending[Any], Any]]:
    first = work[0]
    if first.runner is None:
        assert first.unit is not None
        return [(first, await _in_savepoint(connection, first.unit))]
    runner = first.runner
    if not isolate:
        # no savepoint: if the shared call fails, the whole group is rolled back and rerun
        try:
            outcome = await runner(connection, [pending.item for pending in work])
        except Exception as exc:
            if is_unavailable(exc):
                raise
            raise _Isolate() from exc
        return list(zip(work, outcome, strict=True))

    def alone(item: Any) -> Unit[Sequence[Any]]:
        async def run(connection: AsyncConnection) -> Sequence[Any]:
            return await runner(connection, [item])

        return run

    results = []
    for pending in work:
        single = await _in_savepoint(connection, alone(pending.item))
        results.append((pending, single if isinstance(single, BaseException) else single[0]))
    return results


async def _in_savepoint(connection: AsyncConnection, unit: Unit[T]) -> T | Exception:
    try:
        async with connection.begin_nested():
            return await unit(connection)
    except Exception as exc:
        if is_unavailable(exc):
            raise  # the whole transaction is lost: fail the group
        return exc


def _fail(
    group: list[_Pending[Any]], error: DatabaseUnavailable, cause: BaseException | None = None
) -> None:
    for pending in group:
        if not pending.future.done():
            # one exception object per waiter: each raise writes its own traceback into it
            each = DatabaseUnavailable(str(error))
            each.__cause__ = cause
            pending.future.set_exception(each)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


async def run_once(database: Database, unit: Unit[T]) -> T:
    """Run one unit in a transaction of its own (no batching), mapping outages to 503's error."""
    try:
        async with database.engine.begin() as connection:
            return await unit(connection)
    except Exception as exc:
        if is_unavailable(exc) and not isinstance(exc, DatabaseUnavailable):
            raise DatabaseUnavailable(_first_line(exc)) from exc
        raise
