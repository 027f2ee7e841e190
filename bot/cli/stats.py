"""`ecoute stats`: pulses by status and every commitment's score, as tables."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from rich.console import JustifyMethod
from rich.table import Table

from bot.blocks.scores import TREND_ARROW, format_value, title_of
from bot.cli.common import add_command, console, database
from bot.config import Settings
from bot.i18n import Catalog, format_date, format_percent, load_catalog
from domain.pulse_stats import StatusCount, pulse_counts
from domain.scoring import ScoreCard, score_cards, sort_cards
from storage.types import utcnow

STATUS_STYLE = {"breached": "bold red", "below": "yellow", "ok": "green", "insufficient": "dim"}


def add_parser(sub: Any) -> None:
    """Register `stats`."""
    add_command(sub, "stats", "Show pulses by status and the score of every commitment.", run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print both tables, as of now."""
    catalog = load_catalog(settings.default_locale)
    locale = settings.default_locale
    now = utcnow()
    async with database(settings) as db, db.begin() as session:
        counts = await pulse_counts(session)
        cards = sort_cards(await score_cards(session, as_of=now))
    out = console()
    out.print(pulses_table(counts, catalog, locale))
    if not cards:
        out.print(catalog.t(locale, "stats.empty"))
        return 0
    title = catalog.t(locale, "stats.scores_title", date=format_date(now, locale))
    out.print(scores_table(cards, catalog, locale, title=title))
    return 0


def pulses_table(counts: Sequence[StatusCount], catalog: Catalog, locale: str) -> Table:
    """Return the pulses-by-status table, reasons next to the unsent ones."""
    table = Table(title=catalog.t(locale, "stats.pulses_title"))
    table.add_column(catalog.t(locale, "stats.status"))
    table.add_column(catalog.t(locale, "stats.count"), justify="right")
    table.add_column(catalog.t(locale, "stats.reasons"))
    for item in counts:
        reasons = ", ".join(f"{reason} ({n})" for reason, n in item.reasons)
        table.add_row(item.status, str(item.count), reasons)
    return table


def scores_table(cards: Sequence[ScoreCard], catalog: Catalog, locale: str, *, title: str) -> Table:
    """Return one row per commitment: score, interval, target, respondents, trend, state."""
    table = Table(title=title)
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("commitment", "left"),
        ("metric", "left"),
        ("score", "right"),
        ("interval", "right"),
        ("threshold", "right"),
        ("respondents", "right"),
        ("response_rate", "right"),
        ("trend", "right"),
        ("state", "left"),
    )
    for key, justify in columns:
        table.add_column(catalog.t(locale, f"stats.{key}"), justify=justify)
    none = catalog.t(locale, "stats.none")
    for card in cards:
        commitment = card.commitment
        interval = card.current.interval
        previous = card.previous.estimate
        rate = card.response_rate
        status = str(card.current.status)
        table.add_row(
            f"{commitment.code} · {title_of(commitment, locale)}",
            commitment.metric,
            format_value(interval.estimate, commitment, locale) if interval else none,
            (
                f"{format_value(interval.low, commitment, locale, unit=False)} – "
                f"{format_value(interval.high, commitment, locale)}"
                if interval
                else none
            ),
            format_value(commitment.threshold, commitment, locale),
            f"{card.current.respondents}/{commitment.min_responses}",
            format_percent(rate, locale, 0) if rate is not None else none,
            (
                f"{TREND_ARROW[card.trend]} {format_value(previous, commitment, locale)}"
                if previous is not None
                else none
            ),
            f"[{STATUS_STYLE[status]}]{catalog.t(locale, f'digest.status.{status}')}[/]",
        )
    return table
