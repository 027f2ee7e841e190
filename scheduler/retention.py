"""The daily retention job: identity links and old answers go when their time is up."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.config import Settings
from bot.deps import Deps
from domain.retention import RetentionPolicy, RetentionReport, apply_retention

logger = logging.getLogger("ecoute.retention")


def policy_of(settings: Settings) -> RetentionPolicy:
    """Return the deployment's retention periods."""
    return RetentionPolicy(
        identity_after_close=timedelta(days=settings.identity_retention_days),
        answers=timedelta(days=settings.answer_retention_days),
    )


async def run_retention(deps: Deps) -> RetentionReport:
    """Apply the retention policy once (idempotent: a second run finds nothing to do)."""
    async with deps.database.begin() as session:
        report = await apply_retention(session, now=deps.now(), policy=policy_of(deps.settings))
    logger.info("retention applied: %s", report)
    return report
