"""Claims that make each owner's digest go once per period, across restarts and instances."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import DeliveryStatus, DigestDelivery, DigestRun
from storage.upsert import insert_for

# A delivery still `sending` after this long was cut short (crash, kill): its outcome is unknown.
LEASE = timedelta(minutes=10)


class Refused(StrEnum):
    """Why a digest was not claimed."""

    ALREADY_SENT = "already_sent"
    IN_PROGRESS = "in_progress"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class DeliveryClaim:
    """The right to send one owner's digest of one run; `in_doubt` if a send may have landed."""

    delivery_id: int
    run_id: int
    in_doubt: bool


async def claim_run(
    session: AsyncSession, *, key: str, period_start: datetime, fire_time: datetime, now: datetime
) -> int:
    """Return the id of the run for (key, period), creating it if no instance has yet."""
    insert = insert_for(session, DigestRun)
    statement = insert.values(
        key=key, period_start=period_start, fire_time=fire_time, created_at=now
    ).on_conflict_do_nothing(index_elements=["key", "period_start"])
    await session.exec(statement)
    run_id = (
        await session.exec(
            select(col(DigestRun.id)).where(
                col(DigestRun.key) == key, col(DigestRun.period_start) == period_start
            )
        )
    ).one()
    assert run_id is not None
    return run_id


async def claim_delivery(
    session: AsyncSession,
    *,
    run_id: int,
    owner: str,
    now: datetime,
    force: bool = False,
    lease: timedelta = LEASE,
) -> DeliveryClaim | Refused:
    """Take the owner's delivery of this run, or say why another send must not happen."""
    insert = insert_for(session, DigestDelivery)
    statement = (
        insert.values(
            run_id=run_id, owner=owner, status=DeliveryStatus.SENDING, attempts=1, claimed_at=now
        )
        .on_conflict_do_nothing(index_elements=["run_id", "owner"])
        .returning(insert.table.c.id)
    )
    created = (await session.exec(statement)).first()
    if created is not None:
        return DeliveryClaim(delivery_id=int(created[0]), run_id=run_id, in_doubt=False)
    row = (
        await session.exec(
            select(DigestDelivery).where(
                col(DigestDelivery.run_id) == run_id, col(DigestDelivery.owner) == owner
            )
        )
    ).one()
    assert row.id is not None
    in_doubt = False
    if row.status == DeliveryStatus.SENDING:
        if row.claimed_at > now - lease:
            return Refused.IN_PROGRESS
        in_doubt = True
    elif row.status == DeliveryStatus.SENT and not force:
        return Refused.ALREADY_SENT
    elif row.status == DeliveryStatus.UNREACHABLE and not force:
        return Refused.UNREACHABLE
    # Whoever bumps `attempts` from the value read wins; a concurrent claimer updates nothing.
    result = await session.exec(
        update(DigestDelivery)
        .where(col(DigestDelivery.id) == row.id, col(DigestDelivery.attempts) == row.attempts)
        .values(
            status=DeliveryStatus.SENDING,
            attempts=row.attempts + 1,
            claimed_at=now,
            reason=None,
        )
    )
    if result.rowcount != 1:
        return Refused.IN_PROGRESS
    return DeliveryClaim(delivery_id=row.id, run_id=run_id, in_doubt=in_doubt)


async def settle_delivery(
    session: AsyncSession,
    *,
    delivery_id: int,
    status: DeliveryStatus,
    now: datetime,
    channel: str | None = None,
    ts: str | None = None,
    file_id: str | None = None,
    reason: str | None = None,
) -> None:
    """Record what became of a claimed delivery."""
    values: dict[str, object] = {"status": status, "reason": reason[:300] if reason else None}
    if status == DeliveryStatus.SENT:
        values.update(sent_at=now, channel=channel, ts=ts, file_id=file_id)
    await session.exec(
        update(DigestDelivery).where(col(DigestDelivery.id) == delivery_id).values(**values)
    )


async def delivery_status(
    session: AsyncSession, *, key: str, period_start: datetime, owner: str
) -> DeliveryStatus | None:
    """Return where the owner's digest of that period stands, if it was ever claimed."""
    status = (
        await session.exec(
            select(col(DigestDelivery.status))
            .join(DigestRun, col(DigestRun.id) == col(DigestDelivery.run_id))
            .where(col(DigestRun.key) == key, col(DigestRun.period_start) == period_start)
            .where(col(DigestDelivery.owner) == owner)
        )
    ).first()
    return DeliveryStatus(status) if status is not None else None


async def settled_owners(
    session: AsyncSession, *, periods: Collection[tuple[str, datetime]]
) -> dict[tuple[str, datetime, str], DeliveryStatus]:
    """Return the deliveries already sent or found unreachable, by (key, period, owner)."""
    if not periods:
        return {}
    rows = await session.exec(
        select(
            col(DigestRun.key),
            col(DigestRun.period_start),
            col(DigestDelivery.owner),
            col(DigestDelivery.status),
        )
        .join(DigestRun, col(DigestRun.id) == col(DigestDelivery.run_id))
        .where(
            or_(
                *(
                    and_(col(DigestRun.key) == key, col(DigestRun.period_start) == start)
                    for key, start in periods
                )
            )
        )
        .where(col(DigestDelivery.status).in_([DeliveryStatus.SENT, DeliveryStatus.UNREACHABLE]))
    )
    return {(key, start, owner): DeliveryStatus(status) for key, start, owner, status in rows.all()}
