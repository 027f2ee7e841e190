"""Every few minutes: score the commitments, raise the alerts due, send them to the owners."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from sqlmodel import col, select

from bot.blocks.alert import alert_metadata, build_alert
from bot.deps import Deps
from domain.alerts import PendingAlert, claim_pending, evaluate_states, settle_alert
from domain.digests import owners_of, service_owners
from domain.scoring import ScoreCard, score_cards
from domain.tallies import load_commitments
from scheduler.dispatch import UNDELIVERABLE
from storage.tables import DeliveryStatus, Person

logger = logging.getLogger("ecoute.alerts")
INTERVAL_MINUTES = 5


@dataclass(frozen=True)
class AlertReport:
    """One evaluation: how many commitments were scored, what was raised, what was sent."""

    evaluated: int
    raised: tuple[tuple[str, str], ...]
    sent: tuple[tuple[str, str], ...]
    unreachable: tuple[tuple[str, str, str], ...]
    failed: tuple[tuple[str, str, str], ...]


async def evaluate_alerts(deps: Deps) -> AlertReport:
    """Score every commitment now, raise the alerts due and deliver the pending ones."""
    now = deps.now()
    today = now.astimezone(deps.settings.zone).date()
    async with deps.database.begin() as session:
        commitments = await load_commitments(session)
        cards = await score_cards(session, as_of=now, commitments=commitments, with_previous=False)
        by_owner = owners_of(commitments, await service_owners(session))
        owners: dict[int, list[str]] = defaultdict(list)
        for owner, ids in by_owner.items():
            for commitment_id in ids:
                owners[commitment_id].append(owner)
        claims = await evaluate_states(session, cards=cards, owners=owners, now=now, today=today)
    by_id = {card.commitment.id: card for card in cards}
    raised = tuple((by_id[c.commitment_id].commitment.code, c.level.value) for c in claims)
    for code, level in raised:
        logger.info("alert raised: %s is %s", code, level)
    async with deps.database.begin() as session:
        pending = await claim_pending(session, now=now)
        people = {
            person.user_id: person
            for person in (
                await session.exec(
                    select(Person).where(col(Person.user_id).in_({p.owner for p in pending}))
                )
            ).all()
        }
    sent: list[tuple[str, str]] = []
    unreachable: list[tuple[str, str, str]] = []
    failed: list[tuple[str, str, str]] = []
    for alert in pending:
        card = by_id.get(alert.commitment_id)
        person = people.get(alert.owner)
        code = card.commitment.code if card else str(alert.commitment_id)
        if card is None:
            await _settle(deps, alert, DeliveryStatus.FAILED, reason="commitment archived")
            failed.append((code, alert.owner, "commitment archived"))
            continue
        if person is not None and (person.deleted or person.is_bot):
            await _settle(deps, alert, DeliveryStatus.UNREACHABLE, reason="deactivated")
            unreachable.append((code, alert.owner, "deactivated"))
            continue
        locale = (person.locale if person else None) or deps.settings.default_locale
        outcome = await _send(deps, alert, card, locale)
        if outcome is None:
            sent.append((code, alert.owner))
        elif outcome[0] == DeliveryStatus.UNREACHABLE:
            unreachable.append((code, alert.owner, outcome[1]))
        else:
            failed.append((code, alert.owner, outcome[1]))
    for code, owner, reason in unreachable:
        logger.warning("alert on %s not delivered to %s: %s", code, owner, reason)
    return AlertReport(
        evaluated=len(cards),
        raised=raised,
        sent=tuple(sent),
        unreachable=tuple(unreachable),
        failed=tuple(failed),
    )


async def _send(
    deps: Deps, alert: PendingAlert, card: ScoreCard, locale: str
) -> tuple[DeliveryStatus, str] | None:
    message = build_alert(card, deps.catalog, locale)
    try:
        response = await deps.slack.chat_postMessage(
            channel=alert.owner,
            metadata=alert_metadata(alert.delivery_id),
            unfurl_links=False,
            **message.as_kwargs(),
        )
    except SlackApiError as exc:
        error = str((exc.response.data or {}).get("error", "unknown"))
        status = DeliveryStatus.UNREACHABLE if error in UNDELIVERABLE else DeliveryStatus.FAILED
        await _settle(deps, alert, status, reason=error)
        return status, error
    except Exception as exc:  # unknown outcome: recorded as such, never re-sent
        reason = f"outcome unknown ({type(exc).__name__})"
        await _settle(deps, alert, DeliveryStatus.FAILED, reason=reason)
        return DeliveryStatus.FAILED, reason
    await _settle(
        deps,
        alert,
        DeliveryStatus.SENT,
        channel=str(response["channel"]),
        ts=str(response["ts"]),
    )
    return None


async def _settle(
    deps: Deps,
    alert: PendingAlert,
    status: DeliveryStatus,
    *,
    channel: str | None = None,
    ts: str | None = None,
    reason: str | None = None,
) -> None:
    async with deps.database.begin() as session:
        await settle_alert(
            session,
            delivery_id=alert.delivery_id,
            status=status,
            now=deps.now(),
            channel=channel,
            ts=ts,
            reason=reason,
        )
