"""Counts of pulses by status, with the reasons of those that did not reach anyone."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Pulse, PulseStatus

# Statuses whose reason is worth showing, most frequent first.
EXPLAINED = (PulseStatus.FAILED, PulseStatus.UNDELIVERABLE, PulseStatus.SKIPPED)
TOP_REASONS = 5


@dataclass(frozen=True)
class StatusCount:
    """How many pulses are in one status, and the main reasons for the unsent ones."""

    status: str
    count: int
    reasons: tuple[tuple[str, int], ...] = ()


async def pulse_counts(session: AsyncSession) -> list[StatusCount]:
    """Return every status (zero included) in lifecycle order, with reasons where useful."""
    counts = {
        str(status): int(count)
        for status, count in (
            await session.exec(select(col(Pulse.status), func.count()).group_by(col(Pulse.status)))
        ).all()
    }
    reasons: dict[str, list[tuple[str, int]]] = {}
    rows = await session.exec(
        select(col(Pulse.status), col(Pulse.reason), func.count())
        .where(col(Pulse.status).in_(list(EXPLAINED)))
        .group_by(col(Pulse.status), col(Pulse.reason))
        .order_by(func.count().desc())
    )
    for status, reason, count in rows.all():
        reasons.setdefault(str(status), []).append((reason or "?", int(count)))
    known = [str(s) for s in PulseStatus]
    extra = sorted(set(counts) - set(known))
    return [
        StatusCount(
            status=status,
            count=counts.get(status, 0),
            reasons=tuple(reasons.get(status, [])[:TOP_REASONS]),
        )
        for status in [*known, *extra]
    ]
