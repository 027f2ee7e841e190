"""The modal a details button opens: one commitment's figures, weeks and comments."""

from __future__ import annotations

from typing import Any

from bot.blocks.base import Block, clip, context, escape, plain, section
from bot.blocks.scores import STATUS_MARK, card_facts, format_value, score_line, title_of
from bot.i18n import Catalog, format_date
from domain.digests import COMMENT_MIN_RESPONDENTS, CommitmentDetails

DETAILS_VIEW = "digest.details"
MAX_COMMENT_CHARS = 1000


def build_details_modal(
    details: CommitmentDetails, catalog: Catalog, locale: str | None
) -> dict[str, Any]:
    """Return the details modal of one commitment, in the reader's language."""
    card = details.card
    commitment = card.commitment
    status = catalog.t(locale, f"digest.status.{card.current.status}")
    title = escape(title_of(commitment, locale))
    facts = card_facts(card, catalog, locale)
    blocks: list[Block] = [
        section(f"{STATUS_MARK[card.current.status]} *{title}* ({commitment.code}) · _{status}_"),
        section(score_line(card, catalog, locale)),
        context(
            " · ".join(facts),
            catalog.t(
                locale,
                "digest.window",
                days=commitment.window_days,
                date=format_date(details.as_of, locale),
            ),
        ),
    ]
    if card.previous.estimate is not None:
        value = format_value(card.previous.estimate, commitment, locale)
        blocks.append(
            section(
                catalog.t(
                    locale, "digest.previous_window", value=value, count=card.previous.respondents
                )
            )
        )
    if details.weekly:
        weeks = " · ".join(
            "–" if v is None else format_value(v, commitment, locale, unit=False)
            for v in details.weekly
        )
        blocks.append(section(catalog.t(locale, "digest.weeks", values=weeks)))
    if details.comments:
        blocks.append(section(f"*{catalog.t(locale, 'digest.comments')}*"))
        blocks.extend(
            section(f"« {escape(clip(text, MAX_COMMENT_CHARS))} »") for text in details.comments
        )
    else:
        blocks.append(
            context(catalog.t(locale, "digest.no_comments", minimum=COMMENT_MIN_RESPONDENTS))
        )
    blocks.append(context(catalog.t(locale, "digest.method")))
    return {
        "type": "modal",
        "callback_id": DETAILS_VIEW,
        "title": plain(catalog.t(locale, "digest.modal_title"), 24),
        "close": plain(catalog.t(locale, "digest.modal_close"), 24),
        "blocks": blocks,
    }
