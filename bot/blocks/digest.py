"""The owner's digest message, its plain-text twin (dry runs) and the commitment details modal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.blocks.base import Block, Message, button, clip, context, escape, plain, section
from bot.blocks.plan_messages import plan_button, plan_digest_line
from bot.blocks.scores import (
    STATUS_MARK,
    format_value,
    previous_line,
    score_line,
    title_of,
)
from bot.i18n import Catalog, format_date, format_percent
from domain.plan_effects import PlanDigest
from domain.scoring import ScoreCard, Status
from storage.tables import PlanStatus

DETAILS_ACTION = "digest.details"
DIGEST_METADATA_TYPE = "ecoute_digest"
MAX_BLOCKS = 50
# Title, intro, the "not enough answers" line and the "more" summary.
RESERVED_BLOCKS = 4
MAX_COMMENT_CHARS = 500


@dataclass(frozen=True)
class DigestContent:
    """What one owner's digest says: their commitments (worst first) and the comments shown."""

    owner: str
    locale: str | None
    period_date: date
    cards: Sequence[ScoreCard]
    comments: Mapping[int, Sequence[str]]
    plans: Mapping[int, PlanDigest] = field(default_factory=dict)

    @property
    def scored(self) -> list[ScoreCard]:
        """Return the commitments that have a score (enough respondents)."""
        return [c for c in self.cards if c.current.interval is not None]

    @property
    def attention(self) -> int:
        """Return how many commitments are below or breached."""
        return sum(c.current.status in (Status.BELOW, Status.BREACHED) for c in self.cards)


def digest_metadata(run_id: int, owner: str) -> dict[str, Any]:
    """Return the message metadata that lets an in-doubt digest be found again."""
    return {"event_type": DIGEST_METADATA_TYPE, "event_payload": {"run_id": run_id, "owner": owner}}


def _detail_lines(
    card: ScoreCard, catalog: Catalog, locale: str | None, plan: PlanDigest | None = None
) -> list[str]:
    commitment = card.commitment
    rate = card.response_rate
    facts = [
        catalog.t(
            locale,
            "digest.respondents",
            count=card.current.respondents,
            days=commitment.window_days,
        ),
        catalog.t(locale, "digest.response_rate", rate=format_percent(rate, locale, 0))
        if rate is not None
        else catalog.t(locale, "digest.no_pulse"),
        previous_line(card, catalog, locale),
    ]
    lines = [score_line(card, catalog, locale), " · ".join(facts)]
    if plan is not None:
        lines.append(plan_digest_line(plan, commitment, catalog, locale))
    return lines


def _card_blocks(
    card: ScoreCard,
    comments: Sequence[str],
    catalog: Catalog,
    locale: str | None,
    plan: PlanDigest | None = None,
) -> list[Block]:
    commitment = card.commitment
    status = catalog.t(locale, f"digest.status.{card.current.status}")
    heading = (
        f"{STATUS_MARK[card.current.status]} *{escape(title_of(commitment, locale))}* · _{status}_"
    )
    body = "\n".join([heading, *(_detail_lines(card, catalog, locale, plan))])
    block = section(body, block_id=f"c{commitment.id}")
    block["accessory"] = button(
        catalog.t(locale, "digest.details"), action_id=DETAILS_ACTION, value=str(commitment.id)
    )
    blocks = [block]
    if comments:
        quotes = [f"« {escape(clip(text, MAX_COMMENT_CHARS))} »" for text in comments[:3]]
        blocks.append(context(catalog.t(locale, "digest.comments"), *quotes))
    fallen = card.current.status in (Status.BELOW, Status.BREACHED)
    if fallen and (plan is None or plan.status != PlanStatus.OPEN):
        # Where the score fell, the owner can act from here: open a plan.
        opener = plan_button(commitment.id, catalog, locale)
        blocks.append({"type": "actions", "block_id": f"p{commitment.id}", "elements": [opener]})
    return blocks


def _waiting(cards: Sequence[ScoreCard], catalog: Catalog, locale: str | None) -> str | None:
    waiting = [c for c in cards if c.current.interval is None]
    if not waiting:
        return None
    items = ", ".join(
        catalog.t(
            locale,
            "digest.insufficient_item",
            code=c.commitment.code,
            count=c.current.respondents,
            minimum=c.commitment.min_responses,
        )
        for c in waiting
    )
    return clip(catalog.t(locale, "digest.insufficient", items=items), 2000)


def _summary(cards: Sequence[ScoreCard], catalog: Catalog, locale: str | None) -> str:
    items = ", ".join(
        f"{c.commitment.code} {format_value(c.current.interval.estimate, c.commitment, locale)}"
        for c in cards
        if c.current.interval is not None
    )
    return clip(catalog.t(locale, "digest.more", count=len(cards), items=items), 3000)


def build_digest(content: DigestContent, catalog: Catalog) -> Message:
    """Return the digest: worst first, within Slack's 50 blocks (the rest summarized)."""
    locale = content.locale
    day = format_date(content.period_date, locale)
    if not content.scored:
        text = catalog.t(locale, "digest.nothing", date=day, total=len(content.cards))
        return Message(text=text, blocks=[section(text)])
    fallback = catalog.t(
        locale, "digest.fallback", date=day, attention=content.attention, total=len(content.cards)
    )
    blocks: list[Block] = [
        {"type": "header", "text": plain(catalog.t(locale, "digest.title", date=day), 150)},
        context(catalog.t(locale, "digest.intro")),
    ]
    budget = MAX_BLOCKS - RESERVED_BLOCKS
    left: list[ScoreCard] = []
    for card in content.scored:
        comments = content.comments.get(card.commitment.id, ())
        plan = content.plans.get(card.commitment.id)
        card_blocks = _card_blocks(card, comments, catalog, locale, plan)
        if left or len(card_blocks) > budget:
            left.append(card)
            continue
        blocks.extend(card_blocks)
        budget -= len(card_blocks)
    if left:
        blocks.append(section(_summary(left, catalog, locale)))
    waiting = _waiting(content.cards, catalog, locale)
    if waiting:
        blocks.append(context(waiting))
    return Message(text=fallback, blocks=blocks)


def digest_as_text(content: DigestContent, catalog: Catalog) -> str:
    """Return the digest as plain text, for dry runs and the run's report."""
    locale = content.locale
    day = format_date(content.period_date, locale)
    if not content.scored:
        return catalog.t(locale, "digest.nothing", date=day, total=len(content.cards))
    lines = [catalog.t(locale, "digest.title", date=day)]
    for card in content.scored:
        status = catalog.t(locale, f"digest.status.{card.current.status}")
        lines.append(f"[{status}] {title_of(card.commitment, locale)} ({card.commitment.code})")
        lines.extend(
            f"    {line.replace('*', '')}"
            for line in _detail_lines(card, catalog, locale, content.plans.get(card.commitment.id))
        )
        lines.extend(f"    « {text} »" for text in content.comments.get(card.commitment.id, ())[:3])
    waiting = _waiting(content.cards, catalog, locale)
    if waiting:
        lines.append(waiting)
    return "\n".join(lines)
