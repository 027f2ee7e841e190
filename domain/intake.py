"""Accept interactions from source systems: each one an interaction row and its pending pulse."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from domain.errors import Conflict, DomainError, InvalidInput
from storage.engine import DatabaseUnavailable
from storage.interactions import (
    InteractionValues,
    PulseValues,
    find_interactions,
    insert_interactions,
    insert_pending_pulses,
    load_services,
)

MAX_BATCH = 1000
# a charter typo (years of delay) must not crash intake; nobody is surveyed a year later
MAX_DELAY_MINUTES = 366 * 24 * 60


@dataclass(frozen=True, slots=True)
class NewInteraction:
    """One interaction as a source reported it, normalised (UTC instants, lower-case email)."""

    source: str
    external_id: str
    service: str
    occurred_at: datetime
    slack_user_id: str | None = None
    email: str | None = None
    reference: str | None = None
    summary: str | None = None
    send_after: datetime | None = None
    callback_url: str | None = None
    key: tuple[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # the idempotency key is looked up several times per item on the hot path
        object.__setattr__(self, "key", (self.source, self.external_id))

    def fingerprint(self) -> str:
        """Return the canonical hash of the payload, so a replay can be told from a change."""
        fields = (
            self.source,
            self.external_id,
            self.service,
            self.slack_user_id,
            self.email,
            self.occurred_at.astimezone(UTC).isoformat(),
            self.reference,
            self.summary,
            self.send_after.astimezone(UTC).isoformat() if self.send_after is not None else None,
        )
        # length-prefixed, so no choice of characters can make two payloads encode alike
        canonical = "v1" + "".join(["~" if f is None else f"{len(f)}:{f}" for f in fields])
        if self.callback_url is not None:
            # appended only when present, so payloads stored before the field keep their hash
            canonical += f"|{len(self.callback_url)}:{self.callback_url}"
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Receipt:
    """What became of one interaction: its ids, and whether this call created them."""

    source: str
    external_id: str
    interaction_id: int
    pulse_id: int | None
    status: Literal["accepted", "duplicate"]


@dataclass(frozen=True, slots=True)
class ItemProblem:
    """Why item `index` of a batch is refused; `field` is a dotted path inside the item."""

    index: int
    field: str
    reason: str


class IntakeInvalid(InvalidInput):
    """Some items are unacceptable (unknown service, repeated key); nothing was stored."""

    def __init__(self, problems: Sequence[ItemProblem]) -> None:
        super().__init__(
            "; ".join(f"[{p.index}].{p.field}: {p.reason}" for p in problems),
            fields={f"[{p.index}].{p.field}": p.reason for p in problems},
        )
        self.problems = tuple(problems)


class IntakeConflict(Conflict):
    """Some items reuse a key with a different payload; nothing of the batch was stored."""

    def __init__(self, problems: Sequence[ItemProblem]) -> None:
        super().__init__("; ".join(f"[{p.index}]: {p.reason}" for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """What intake needs to know of a charter service."""

    id: int
    delay_minutes: int
    archived: bool


class ServiceDirectory:
    """Service codes read inside the caller's transaction and kept `ttl` seconds.

    Reading them for every group would cost a statement per commit; keeping them a few
    seconds costs this: a service archived is refused at most `ttl` seconds late (what is
    accepted in that window is treated like what came just before the archiving). A code not
    in the cache is read again at once, so a new service works immediately.
    """

    def __init__(self, *, ttl: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._services: dict[str, ServiceInfo] = {}
        self._loaded_at = float("-inf")

    async def resolve(
        self, connection: AsyncConnection, codes: set[str]
    ) -> dict[str, ServiceInfo | None]:
        """Return each code's service (None when unknown), reloading when stale or missing."""
        fresh = self._clock() - self._loaded_at < self.ttl
        if not fresh or not codes <= self._services.keys():
            await self._load(connection)
        return {code: self._services.get(code) for code in codes}

    async def _load(self, connection: AsyncConnection) -> None:
        self._services = {
            row.code: ServiceInfo(row.id, row.delay_minutes, row.archived_at is not None)
            for row in await load_services(connection)
        }
        self._loaded_at = self._clock()


@dataclass(frozen=True, slots=True)
class Submission:
    """One request's interactions, accepted or refused together, and when it arrived."""

    items: Sequence[NewInteraction]
    received_at: datetime


class MustIsolate(Exception):
    """A merged run must be redone one submission at a time (one has to be rolled back)."""


async def accept(
    connection: AsyncConnection,
    *,
    items: Sequence[NewInteraction],
    services: ServiceDirectory,
    now: datetime,
) -> list[Receipt]:
    """Store each new interaction with its pending pulse; answer replays with the stored ids.

    All or nothing: raise IntakeInvalid or IntakeConflict; run it inside a transaction or a
    savepoint, which the exception must roll back.
    """
    [outcome] = await accept_many(
        connection, submissions=[Submission(items, now)], services=services
    )
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


async def accept_many(
    connection: AsyncConnection,
    *,
    submissions: Sequence[Submission],
    services: ServiceDirectory,
) -> list[list[Receipt] | DomainError]:
    """Accept several submissions with a few statements in all, as if one after the other.

    Each outcome is the submission's receipts or the error refusing it, in which case nothing
    of it was written. When a refused submission has rows in the shared statements (a key it
    inserted, and another that conflicts), raise MustIsolate with more than one submission
    (the caller rolls back and reruns each alone), IntakeConflict with one.
    """
    hashes = [[item.fingerprint() for item in sub.items] for sub in submissions]
    codes = {item.service for sub in submissions for item in sub.items}
    known = await services.resolve(connection, codes)
    outcomes: list[list[Receipt] | DomainError | None] = [None] * len(submissions)

    # the first occurrence of each key among the valid submissions is the one inserted
    first: dict[tuple[str, str], tuple[int, int]] = {}
    rows = []
    for s, sub in enumerate(submissions):
        problems = _check(sub.items, known)
        if problems:
            outcomes[s] = IntakeInvalid(problems)
            continue
        for i, item in enumerate(sub.items):
            if item.key not in first:
                first[item.key] = (s, i)
                rows.append(_interaction_row(item, hashes[s][i], known, sub.received_at))
    inserted = await insert_interactions(connection, rows)
    existing = await find_interactions(connection, [k for k in first if k not in inserted])

    for s, sub in enumerate(submissions):
        if outcomes[s] is not None:
            continue
        conflicts = []
        wrote = False
        for i, item in enumerate(sub.items):
            if item.key in inserted:
                origin = first[item.key]
                wrote |= origin == (s, i)
                same = hashes[origin[0]][origin[1]] == hashes[s][i]
            elif item.key in existing:
                same = existing[item.key].payload_hash == hashes[s][i]
            else:
                # the row that blocked our insert vanished since (purged concurrently)
                raise DatabaseUnavailable(f"interaction {item.key} changed concurrently")
            if not same:
                conflicts.append(
                    ItemProblem(
                        i,
                        "external_id",
                        f"({item.source}, {item.external_id}) was already received "
                        "with a different payload",
                    )
                )
        if conflicts:
            if wrote:
                if len(submissions) == 1:
                    raise IntakeConflict(conflicts)
                raise MustIsolate()
            outcomes[s] = IntakeConflict(conflicts)

    pulses = await _insert_pulses(connection, submissions, first, inserted, known)
    results: list[list[Receipt] | DomainError] = []
    for s, sub in enumerate(submissions):
        outcome = outcomes[s]
        if outcome is not None:
            results.append(outcome)
            continue
        receipts = []
        for i, item in enumerate(sub.items):
            if item.key in inserted:
                interaction_id = inserted[item.key]
                pulse_id: int | None = pulses[interaction_id]
                status: Literal["accepted", "duplicate"] = (
                    "accepted" if first[item.key] == (s, i) else "duplicate"
                )
            else:
                interaction_id, pulse_id, _ = existing[item.key]
                status = "duplicate"
            receipts.append(
                Receipt(item.source, item.external_id, interaction_id, pulse_id, status)
            )
        results.append(receipts)
    return results


def _check(
    items: Sequence[NewInteraction], known: dict[str, ServiceInfo | None]
) -> list[ItemProblem]:
    problems = []
    first_of: dict[tuple[str, str], int] = {}
    for i, item in enumerate(items):
        earlier = first_of.setdefault(item.key, i)
        if earlier != i:
            problems.append(
                ItemProblem(
                    i, "external_id", f"repeats the source and external_id of item {earlier}"
                )
            )
        service = known[item.service]
        if service is None:
            problems.append(ItemProblem(i, "service", f"unknown service {item.service!r}"))
        elif service.archived:
            problems.append(ItemProblem(i, "service", f"service {item.service!r} is archived"))
    return problems


def _interaction_row(
    item: NewInteraction,
    payload_hash: str,
    known: dict[str, ServiceInfo | None],
    received_at: datetime,
) -> InteractionValues:
    service = known[item.service]
    assert service is not None
    return {
        "source": item.source,
        "external_id": item.external_id,
        "payload_hash": payload_hash,
        "service_id": service.id,
        "beneficiary_user_id": item.slack_user_id,
        "beneficiary_email": item.email,
        "occurred_at": item.occurred_at,
        "reference": item.reference,
        "summary": item.summary,
        "send_after": item.send_after,
        "callback_url": item.callback_url,
        "received_at": received_at,
    }


async def _insert_pulses(
    connection: AsyncConnection,
    submissions: Sequence[Submission],
    first: dict[tuple[str, str], tuple[int, int]],
    inserted: dict[tuple[str, str], int],
    known: dict[str, ServiceInfo | None],
) -> dict[int, int]:
    rows: list[PulseValues] = []
    for key, interaction_id in inserted.items():
        s, i = first[key]
        item = submissions[s].items[i]
        service = known[item.service]
        assert service is not None
        rows.append(
            {
                "interaction_id": interaction_id,
                "service_id": service.id,
                "recipient": item.slack_user_id,
                "recipient_email": item.email,
                "due_at": due_at(item, delay_minutes=service.delay_minutes),
            }
        )
    return await insert_pending_pulses(connection, rows)


def due_at(item: NewInteraction, *, delay_minutes: int) -> datetime:
    """Return when the pulse may be sent: `send_after`, else the service's delay after the fact."""
    if item.send_after is not None:
        return item.send_after
    minutes = min(max(delay_minutes, 0), MAX_DELAY_MINUTES)
    try:
        return item.occurred_at + timedelta(minutes=minutes)
    except OverflowError:
        return item.occurred_at
