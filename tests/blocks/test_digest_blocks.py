"""Digest, alert and details builders: Slack's limits, both languages, the worst first."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.blocks.alert import build_alert
from bot.blocks.details import build_details_modal
from bot.blocks.digest import (
    DETAILS_ACTION,
    MAX_BLOCKS,
    DigestContent,
    build_digest,
    digest_as_text,
)
from bot.charts import ChartSeries, render_chart
from bot.i18n import load_catalog
from bot.sandbox import validate_message, validate_view
from domain.digests import CommitmentDetails
from domain.scoring import Figure, ScoreCard, Status, Trend, sort_cards
from domain.stats_math import Interval
from domain.tallies import CommitmentInfo, Delivery, Span

CATALOG = load_catalog()
NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)


def card(
    index: int,
    status: Status,
    *,
    metric: str = "csat",
    estimate: float = 72.5,
    title: str = "Répondre aux demandes <urgentes> & simples",
) -> ScoreCard:
    commitment = CommitmentInfo(
        id=index,
        code=f"C{index:03d}",
        title=title,
        title_en="Answer urgent & simple requests",
        service_id=1,
        metric=metric,
        threshold=80.0 if metric != "mean" else 4.0,
        min_responses=5,
        window_days=30,
        owners=("U1",),
        kind={"csat": "rating_5", "nps": "nps_10", "mean": "rating_5"}[metric],
        question_ids=(index,),
    )
    interval = (
        None if status == Status.INSUFFICIENT else Interval(estimate, estimate - 8, estimate + 6)
    )
    figure = Figure(42 if interval else 3, 50 if interval else 3, interval, status)
    previous = Figure(40, 45, Interval(78.0, 70.0, 85.0), Status.BELOW)
    return ScoreCard(commitment, Span(NOW, NOW), figure, previous, Delivery(100, 38), Trend.DOWN)


def content(cards: list[ScoreCard], locale: str = "fr") -> DigestContent:
    comments = {c.commitment.id: ["Très bien <script>", "Trop lent"] for c in cards[:2]}
    return DigestContent("U1", locale, date(2026, 3, 2), sort_cards(cards), comments)


def test_many_commitments_fit_in_fifty_blocks_worst_first() -> None:
    cards = [card(i, (Status.OK, Status.BELOW, Status.BREACHED, Status.INSUFFICIENT)[i % 4])
             for i in range(80)]  # fmt: skip
    message = build_digest(content(cards), CATALOG)
    assert len(message.blocks) <= MAX_BLOCKS
    assert validate_message(message.as_kwargs()) == []
    first = message.blocks[2]
    assert first["text"]["text"].startswith(":red_circle:")
    assert first["accessory"]["action_id"] == DETAILS_ACTION
    texts = " ".join(str(block) for block in message.blocks)
    assert "… et " in texts  # the rest is summarized
    assert "Pas encore assez de réponses" in texts


def test_figures_read_the_french_way_and_text_is_escaped() -> None:
    message = build_digest(content([card(1, Status.BELOW), card(2, Status.OK)]), CATALOG)
    section = message.blocks[2]["text"]["text"]
    assert "*72,5\u202f%*" in section
    assert "(IC 95 % : 64,5 – 78,5\u202f%)" in section
    assert "objectif 80\u202f%" in section
    assert "taux de réponse 38\u202f%" in section
    assert "↘ 78\u202f% la période précédente" in section
    assert "&lt;urgentes&gt; &amp;" in section
    comments = message.blocks[3]["elements"]
    assert comments[1]["text"] == "« Très bien &lt;script&gt; »"
    assert "1 engagement(s) sous l'objectif sur 2" in message.text


def test_english_digest() -> None:
    message = build_digest(content([card(1, Status.BREACHED)], "en"), CATALOG)
    section = message.blocks[2]["text"]["text"]
    assert "*72.5%* (95% CI: 64.5 – 78.5%) · target 80%" in section
    assert "Answer urgent &amp; simple requests" in section
    assert validate_message(message.as_kwargs()) == []


def test_nps_and_mean_units() -> None:
    nps = card(1, Status.OK, metric="nps", estimate=12.4)
    mean = card(2, Status.BELOW, metric="mean", estimate=3.456)
    text = digest_as_text(content([nps, mean]), CATALOG)
    assert "+12 (IC 95 % : +4 – +18) · objectif +80" in text
    assert "3,46/5 (IC 95 % : -4,54 – 9,46/5) · objectif 4,00/5" in text


def test_a_digest_with_nothing_to_say_says_so_in_one_line() -> None:
    message = build_digest(content([card(1, Status.INSUFFICIENT)]), CATALOG)
    assert len(message.blocks) == 1
    assert "rien à signaler" in message.text
    assert "\n" not in message.text
    assert digest_as_text(content([card(1, Status.INSUFFICIENT)]), CATALOG) == message.text


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_details_modal_and_alert_are_valid(locale: str) -> None:
    details = CommitmentDetails(
        card=card(1, Status.BREACHED),
        weekly=[None, 70.0, 75.5, *([60.0] * 9)],
        comments=["x" * 2500, "court"],
        as_of=NOW,
    )
    view = build_details_modal(details, CATALOG, locale)
    assert validate_view(view) == []
    assert len(view["title"]["text"]) <= 24
    empty = build_details_modal(
        CommitmentDetails(card=card(2, Status.INSUFFICIENT), weekly=[], comments=[], as_of=NOW),
        CATALOG,
        locale,
    )
    assert validate_view(empty) == []
    alert = build_alert(card(3, Status.BELOW), CATALOG, locale)
    assert validate_message(alert.as_kwargs()) == []
    assert alert.blocks[1]["accessory"]["value"] == "3"


def test_chart_is_a_png() -> None:
    png = render_chart(
        [ChartSeries("C001 · Délai", [None, 50.0, 60.0, None], 80.0, 0.0, 100.0)],
        title="Les 12 dernières semaines",
        week_labels=["1", "2", "3", "4"],
        threshold_label="objectif",
    )
    assert png.startswith(b"\x89PNG")
