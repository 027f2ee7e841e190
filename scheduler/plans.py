"""Plans on the clock: carriers' reminders and contributors' notes every minute, escalations."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.errors import SlackApiError

from bot.blocks.plan_notices import build_action_reminder, build_escalation, build_note_message
from bot.deps import Deps
from domain.plan_jobs import (
    claim_due_actions,
    claim_escalations,
    quality_team,
    watch_breaches,
)
from domain.plan_notes import claim_notes, settle_note
from domain.scoring import score_cards
from domain.tallies import load_commitments
from scheduler.dispatch import UNDELIVERABLE
from storage.engine import DatabaseUnavailable

logger = logging.getLogger("ecoute.plans")
BATCH = 100
# Scoring every commitment is the costly part: breaches are looked at this often.
ESCALATION_EVERY_MINUTES = 15


@dataclass(frozen=True)
class PlanRound:
    """What one pass did: reminders posted, notes delivered, escalations sent."""

    reminders: int = 0
    notes: int = 0
    escalations: int = 0


async def run_plan_reminders(deps: Deps) -> PlanRound:
    """Remind the carriers whose action is due, then deliver the notes due (paced)."""
    settings = deps.settings
    try:
        async with deps.database.begin() as session:
            due = await claim_due_actions(
                session,
                now=deps.now(),
                zone=settings.zone,
                default_locale=settings.default_locale,
                limit=BATCH,
            )
    except DatabaseUnavailable as exc:
        logger.warning("plan reminders skipped, database unavailable: %s", exc)
        return PlanRound()
    reminded = 0
    for action in due:
        message = build_action_reminder(action, deps.catalog)
        try:
            await deps.slack.chat_postMessage(channel=action.carrier, **message.as_kwargs())
            reminded += 1
        except Exception as exc:  # claimed first, so never sent twice: a lost reminder is fine
            logger.warning(
                "reminder of action %s.%s not sent: %s", action.plan_id, action.position, exc
            )
    return PlanRound(reminders=reminded, notes=await deliver_notes(deps))


async def deliver_notes(deps: Deps) -> int:
    """Deliver the notes due, one DM each through the paced client; retry the failures."""
    try:
        async with deps.database.begin() as session:
            notes = await claim_notes(session, now=deps.now(), limit=BATCH)
    except DatabaseUnavailable as exc:
        logger.warning("plan notes skipped, database unavailable: %s", exc)
        return 0
    delivered = 0
    for note in notes:
        error: str | None = None
        final = False
        try:
            message = build_note_message(note, deps.catalog)
            await deps.slack.chat_postMessage(channel=note.recipient, **message.as_kwargs())
        except SlackApiError as exc:
            error = str((exc.response.data or {}).get("error", "unknown"))
            # A person who left the workspace will not come back for a retry.
            final = error in UNDELIVERABLE
        except Exception as exc:  # kept and retried with backoff; the reason is stored
            error = f"{type(exc).__name__}: {exc}"
        if error is not None:
            logger.warning("plan note %s not delivered: %s", note.id, error)
        async with deps.database.begin() as session:
            await settle_note(session, note_id=note.id, now=deps.now(), error=error, final=final)
        delivered += error is None
    return delivered


async def run_escalations(deps: Deps) -> int:
    """Track how long each commitment is breached; escalate the long ones without a plan."""
    settings = deps.settings
    now = deps.now()
    try:
        async with deps.database.begin() as session:
            commitments = await load_commitments(session)
            cards = await score_cards(
                session, as_of=now, commitments=commitments, with_previous=False
            )
            await watch_breaches(session, cards=cards, now=now)
        async with deps.database.begin() as session:
            escalations = await claim_escalations(
                session, now=now, after=timedelta(days=settings.escalation_days)
            )
            team = (
                [(settings.quality_channel, settings.default_locale)]
                if settings.quality_channel
                else await quality_team(
                    session, configured=settings.admins, default_locale=settings.default_locale
                )
            )
    except DatabaseUnavailable as exc:
        logger.warning("escalations skipped, database unavailable: %s", exc)
        return 0
    sent = 0
    for escalation in escalations:
        logger.info("escalating %s: breached since %s", escalation.code, escalation.breached_since)
        if not team:
            logger.warning("escalation of %s has nobody to go to: no admin", escalation.code)
        for channel, locale in team:
            message = build_escalation(
                escalation, deps.catalog, locale, now=now, days=settings.escalation_days
            )
            try:
                await deps.slack.chat_postMessage(channel=channel, **message.as_kwargs())
                sent += 1
            except Exception as exc:  # claimed once: logged, not repeated
                logger.warning("escalation of %s to %s not sent: %s", escalation.code, channel, exc)
    return sent


async def run_escalations_safely(deps: Deps) -> None:
    """Run the escalations as a job: a failure waits for the next round."""
    try:
        await run_escalations(deps)
    except Exception:  # evaluated again at the next round
        logger.exception("escalation round failed")
