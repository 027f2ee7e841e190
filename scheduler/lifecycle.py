"""Every minute: close pulses whose window has passed, post the one reminder that is due."""

from __future__ import annotations

import logging

from bot.blocks.pulse import build_pulse_closed, build_reminder
from bot.deps import Deps
from domain.lifecycle import claim_reminders, close_expired
from storage.engine import DatabaseUnavailable

logger = logging.getLogger("ecoute.lifecycle")
BATCH = 200


async def run_lifecycle(deps: Deps) -> tuple[int, int]:
    """Close expired pulses and send due reminders; return how many of each."""
    settings = deps.settings
    try:
        async with deps.database.begin() as session:
            closings = await close_expired(session, now=deps.now(), limit=BATCH)
        async with deps.database.begin() as session:
            reminders = await claim_reminders(
                session,
                now=deps.now(),
                after=settings.etiquette.reminder_after,
                zone=settings.zone,
                limit=BATCH,
            )
    except DatabaseUnavailable as exc:
        logger.warning("lifecycle skipped, database unavailable: %s", exc)
        return 0, 0
    for closing in closings:
        if closing.unanswered and closing.channel and closing.ts:
            message = build_pulse_closed(closing.locale, deps.catalog)
            try:
                await deps.slack.chat_update(
                    channel=closing.channel, ts=closing.ts, **message.as_kwargs()
                )
            except Exception as exc:  # the pulse is closed either way; its buttons refuse clicks
                logger.warning("closed notice for pulse %s not shown: %s", closing.pulse_id, exc)
    for reminder in reminders:
        message = build_reminder(reminder, deps.catalog)
        try:
            await deps.slack.chat_postMessage(
                channel=reminder.channel, thread_ts=reminder.ts, **message.as_kwargs()
            )
        except Exception as exc:  # claimed first, so never sent twice: a lost reminder is fine
            logger.warning("reminder for pulse %s not sent: %s", reminder.pulse_id, exc)
    return len(closings), len(reminders)
