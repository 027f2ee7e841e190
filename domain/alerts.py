"""Alert state per commitment: raise on the fall, re-arm only after a real recovery.

A commitment alerts when it goes from ok (or not yet measured) to below or breached. It then
stays quiet until its score is back above its threshold plus a margin (hysteresis: a score
wobbling around the target would otherwise alert every few minutes), and alerts at most once a
day. Every decision is a conditional UPDATE, so two instances evaluating together raise it once.
A commitment first seen already under target does not alert: the next digest shows it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.scoring import ScoreCard, Status, scale_span
from domain.tallies import CommitmentInfo
from storage.tables import AlertDelivery, AlertState, DeliveryStatus
from storage.upsert import insert_for

# Points above the threshold a percent or NPS score must reach to re-arm its alert.
MARGIN_POINTS = 5.0
# For a mean, the same margin as a share of its scale (0.2 on a 1-5 scale).
MEAN_MARGIN = 0.05
LEASE = timedelta(minutes=10)
# Alerts that could not go within this long are stale news: the digest takes over.
PENDING_LIFETIME = timedelta(hours=12)
FALLEN = (Status.BELOW, Status.BREACHED)


@dataclass(frozen=True)
class AlertClaim:
    """An alert this instance raised: the commitment, its level and who must hear of it."""

    commitment_id: int
    level: Status
    owners: tuple[str, ...]


@dataclass(frozen=True)
class PendingAlert:
    """One alert to one owner, claimed for sending."""

    delivery_id: int
    commitment_id: int
    owner: str
    level: str


def margin_for(commitment: CommitmentInfo) -> float:
    """Return how far above its threshold a score must climb to re-arm the alert."""
    if commitment.metric == "mean":
        return MEAN_MARGIN * scale_span(commitment)
    return MARGIN_POINTS


async def evaluate_states(
    session: AsyncSession,
    *,
    cards: Sequence[ScoreCard],
    owners: Mapping[int, Sequence[str]],
    now: datetime,
    today: date,
) -> list[AlertClaim]:
    """Record each commitment's status, raise the alerts due and queue one delivery per owner."""
    states = {
        row.commitment_id: row
        for row in (
            await session.exec(
                select(AlertState).where(
                    col(AlertState.commitment_id).in_([c.commitment.id for c in cards])
                )
            )
        ).all()
    }
    fresh = [card for card in cards if card.commitment.id not in states]
    if fresh:
        insert = insert_for(session, AlertState)
        await session.exec(
            insert.values(
                [
                    {
                        "commitment_id": card.commitment.id,
                        "status": card.current.status,
                        "armed": card.current.status not in FALLEN,
                        "estimate": card.current.estimate,
                        "updated_at": now,
                    }
                    for card in fresh
                ]
            ).on_conflict_do_nothing(index_elements=["commitment_id"])
        )
    claims: list[AlertClaim] = []
    for card in cards:
        state = states.get(card.commitment.id)
        if state is None:
            continue
        status, estimate = card.current.status, card.current.estimate
        if status in FALLEN and state.armed:
            if await _raise(session, card=card, now=now, today=today):
                ids = tuple(owners.get(card.commitment.id, ()))
                await _queue(session, card=card, owners=ids, now=now, today=today)
                claims.append(AlertClaim(card.commitment.id, status, ids))
        elif (
            status == Status.OK
            and not state.armed
            and estimate is not None
            and estimate >= card.commitment.threshold + margin_for(card.commitment)
        ):
            await _update(session, card, now, armed=True, only_if_armed=False)
        elif state.status != status:
            await _update(session, card, now)
    return claims


async def _raise(session: AsyncSession, *, card: ScoreCard, now: datetime, today: date) -> bool:
    result = await session.exec(
        update(AlertState)
        .where(col(AlertState.commitment_id) == card.commitment.id)
        .where(col(AlertState.armed).is_(True))
        .where(or_(col(AlertState.last_alert_on).is_(None), col(AlertState.last_alert_on) != today))
        .values(
            armed=False,
            last_alert_on=today,
            status=card.current.status,
            estimate=card.current.estimate,
            updated_at=now,
        )
    )
    return result.rowcount == 1


async def _update(
    session: AsyncSession,
    card: ScoreCard,
    now: datetime,
    *,
    armed: bool | None = None,
    only_if_armed: bool | None = None,
) -> None:
    statement = update(AlertState).where(col(AlertState.commitment_id) == card.commitment.id)
    values: dict[str, object] = {
        "status": card.current.status,
        "estimate": card.current.estimate,
        "updated_at": now,
    }
    if armed is not None:
        values["armed"] = armed
    if only_if_armed is not None:
        statement = statement.where(col(AlertState.armed).is_(only_if_armed))
    await session.exec(statement.values(**values))


async def _queue(
    session: AsyncSession,
    *,
    card: ScoreCard,
    owners: Sequence[str],
    now: datetime,
    today: date,
) -> None:
    if not owners:
        return
    insert = insert_for(session, AlertDelivery)
    await session.exec(
        insert.values(
            [
                {
                    "commitment_id": card.commitment.id,
                    "day": today,
                    "owner": owner,
                    "status": DeliveryStatus.PENDING,
                    "level": card.current.status,
                    "created_at": now,
                }
                for owner in owners
            ]
        ).on_conflict_do_nothing(index_elements=["commitment_id", "day", "owner"])
    )


async def claim_pending(session: AsyncSession, *, now: datetime) -> list[PendingAlert]:
    """Take the alerts waiting to go; give up on stale ones and on sends cut short."""
    await session.exec(
        update(AlertDelivery)
        .where(col(AlertDelivery.status) == DeliveryStatus.PENDING)
        .where(col(AlertDelivery.created_at) < now - PENDING_LIFETIME)
        .values(status=DeliveryStatus.FAILED, reason="expired before it could be sent")
    )
    # An alert is not worth a duplicate: a send cut short is recorded, not retried.
    await session.exec(
        update(AlertDelivery)
        .where(col(AlertDelivery.status) == DeliveryStatus.SENDING)
        .where(col(AlertDelivery.claimed_at) < now - LEASE)
        .values(status=DeliveryStatus.FAILED, reason="outcome unknown")
    )
    rows = (
        await session.exec(
            select(AlertDelivery)
            .where(col(AlertDelivery.status) == DeliveryStatus.PENDING)
            .order_by(col(AlertDelivery.id))
        )
    ).all()
    claimed: list[PendingAlert] = []
    for row in rows:
        assert row.id is not None
        result = await session.exec(
            update(AlertDelivery)
            .where(col(AlertDelivery.id) == row.id)
            .where(col(AlertDelivery.status) == DeliveryStatus.PENDING)
            .values(status=DeliveryStatus.SENDING, claimed_at=now)
        )
        if result.rowcount == 1:
            claimed.append(PendingAlert(row.id, row.commitment_id, row.owner, row.level))
    return claimed


async def settle_alert(
    session: AsyncSession,
    *,
    delivery_id: int,
    status: DeliveryStatus,
    now: datetime,
    channel: str | None = None,
    ts: str | None = None,
    reason: str | None = None,
) -> None:
    """Record what became of one alert delivery."""
    values: dict[str, object] = {"status": status, "reason": reason[:300] if reason else None}
    if status == DeliveryStatus.SENT:
        values.update(sent_at=now, channel=channel, ts=ts)
    await session.exec(
        update(AlertDelivery).where(col(AlertDelivery.id) == delivery_id).values(**values)
    )
