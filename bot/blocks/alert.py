"""The alert an owner receives when a commitment falls under its target."""

from __future__ import annotations

from typing import Any

from bot.blocks.base import Block, Message, button, context, escape, section
from bot.blocks.digest import DETAILS_ACTION
from bot.blocks.plan_messages import plan_button
from bot.blocks.scores import format_value, title_of
from bot.i18n import Catalog
from domain.scoring import ScoreCard

ALERT_METADATA_TYPE = "ecoute_alert"


def alert_metadata(delivery_id: int) -> dict[str, Any]:
    """Return the message metadata naming the alert delivery."""
    return {"event_type": ALERT_METADATA_TYPE, "event_payload": {"delivery_id": delivery_id}}


def build_alert(card: ScoreCard, catalog: Catalog, locale: str | None) -> Message:
    """Return the alert: what fell, the figures, and a button to the details."""
    commitment = card.commitment
    title = title_of(commitment, locale)
    status = catalog.t(locale, f"digest.status.{card.current.status}")
    interval = card.current.interval
    blocks: list[Block] = [
        section(catalog.t(locale, "alert.title", title=escape(title), status=status))
    ]
    if interval is not None:
        figures = catalog.t(
            locale,
            "alert.figures",
            score=f"*{format_value(interval.estimate, commitment, locale)}*",
            low=format_value(interval.low, commitment, locale, unit=False),
            high=format_value(interval.high, commitment, locale),
            threshold=format_value(commitment.threshold, commitment, locale),
            count=card.current.respondents,
            days=commitment.window_days,
        )
        block = section(figures, block_id=f"c{commitment.id}")
        block["accessory"] = button(
            catalog.t(locale, "digest.details"), action_id=DETAILS_ACTION, value=str(commitment.id)
        )
        blocks.append(block)
    # The owner can answer the fall at once: open an action plan (or see the open one).
    opener = plan_button(commitment.id, catalog, locale)
    blocks.append({"type": "actions", "block_id": f"p{commitment.id}", "elements": [opener]})
    blocks.append(context(catalog.t(locale, "alert.hint")))
    return Message(text=catalog.t(locale, "alert.fallback", title=title), blocks=blocks)
