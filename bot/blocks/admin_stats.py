"""Score cards for `/ecoute stats` and the owners' Home: status, score, interval, trend."""

from __future__ import annotations

from collections.abc import Sequence

from bot.blocks.base import Block, Message, context, escape, section
from bot.blocks.scores import STATUS_MARK, card_facts, previous_line, score_line, title_of
from bot.i18n import Catalog, format_date
from domain.admin_stats import Stats
from domain.scoring import ScoreCard

MAX_CARDS = 40


def card_text(card: ScoreCard, catalog: Catalog, locale: str | None) -> str:
    """Return a commitment's status, score, interval, respondents and trend, in three lines."""
    commitment = card.commitment
    status = catalog.t(locale, f"digest.status.{card.current.status}")
    facts = card_facts(card, catalog, locale)
    facts.append(previous_line(card, catalog, locale))
    title = escape(title_of(commitment, locale))
    return "\n".join(
        [
            f"{STATUS_MARK[card.current.status]} *{commitment.code}* · {title} · _{status}_",
            score_line(card, catalog, locale),
            " · ".join(facts),
        ]
    )


def card_blocks(cards: Sequence[ScoreCard], catalog: Catalog, locale: str | None) -> list[Block]:
    """Return one section per card, at most MAX_CARDS, then how many were left out."""
    blocks = [section(card_text(card, catalog, locale)) for card in cards[:MAX_CARDS]]
    if len(cards) > MAX_CARDS:
        left = len(cards) - MAX_CARDS
        blocks.append(context(catalog.t(locale, "admin.stats.more", count=left)))
    return blocks


def build_stats(stats: Stats, catalog: Catalog, locale: str | None) -> Message:
    """Return the score cards asked for, worst first."""
    date = format_date(stats.as_of, locale)
    if not stats.cards:
        text = catalog.t(locale, "admin.stats.empty")
        return Message(text=text, blocks=[section(text)])
    title = catalog.t(locale, "admin.stats.title", date=date, count=len(stats.cards))
    blocks: list[Block] = [section(f"*{title}*"), *card_blocks(stats.cards, catalog, locale)]
    return Message(text=title, blocks=blocks)
