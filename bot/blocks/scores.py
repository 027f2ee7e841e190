"""How a score reads in each language: units, status marks, trend arrows, one summary line."""

from __future__ import annotations

from bot.i18n import Catalog, format_number, format_percent, normalize_locale
from domain.pulse_view import localized
from domain.scoring import SCALE_RANGES, ScoreCard, Status, Trend
from domain.tallies import CommitmentInfo

STATUS_MARK = {
    Status.BREACHED: ":red_circle:",
    Status.BELOW: ":large_orange_circle:",
    Status.OK: ":large_green_circle:",
    Status.INSUFFICIENT: ":white_circle:",
}
TREND_ARROW = {Trend.UP: "↗", Trend.DOWN: "↘", Trend.FLAT: "→", Trend.UNKNOWN: ""}
PERCENT_METRICS = ("csat", "yes_rate", "effort")
MINUS = "−"


def title_of(commitment: CommitmentInfo, locale: str | None) -> str:
    """Return the commitment's title in the reader's language."""
    return localized(normalize_locale(locale), commitment.title, commitment.title_en)


def scale_of(commitment: CommitmentInfo) -> tuple[float, float]:
    """Return the axis range of the metric (0-100, -100-100, or the question's scale)."""
    if commitment.metric == "nps":
        return -100.0, 100.0
    if commitment.metric == "mean" and commitment.kind:
        low, high = SCALE_RANGES[commitment.kind]
        return float(low), float(high)
    return 0.0, 100.0


def format_value(
    value: float, commitment: CommitmentInfo, locale: str | None, *, unit: bool = True
) -> str:
    """Return a score or a threshold as the reader writes it: `72,5 %`, `+12`, `3,84`."""
    if commitment.metric in PERCENT_METRICS:
        decimals = 0 if float(value).is_integer() else 1
        if unit:
            return format_percent(value, locale, decimals)
        return format_number(value, locale, decimals)
    if commitment.metric == "nps":
        rounded = round(value)
        sign = "+" if rounded > 0 else MINUS if rounded < 0 else ""
        return f"{sign}{abs(rounded)}"
    number = format_number(value, locale, 2)
    return f"{number}/{scale_of(commitment)[1]:g}" if unit else number


def score_line(card: ScoreCard, catalog: Catalog, locale: str | None) -> str:
    """Return `score (CI low – high) · target t`, or the status when there is no score."""
    interval = card.current.interval
    commitment = card.commitment
    if interval is None:
        return catalog.t(locale, "digest.status.insufficient")
    return catalog.t(
        locale,
        "digest.score",
        score=f"*{format_value(interval.estimate, commitment, locale)}*",
        low=format_value(interval.low, commitment, locale, unit=False),
        high=format_value(interval.high, commitment, locale),
        threshold=format_value(commitment.threshold, commitment, locale),
    )


def previous_line(card: ScoreCard, catalog: Catalog, locale: str | None) -> str:
    """Return the trend arrow and the previous window's score."""
    previous = card.previous.estimate
    if previous is None:
        return catalog.t(locale, "digest.previous_none")
    return catalog.t(
        locale,
        "digest.previous",
        arrow=TREND_ARROW[card.trend],
        value=format_value(previous, card.commitment, locale),
    ).strip()


def card_facts(card: ScoreCard, catalog: Catalog, locale: str | None) -> list[str]:
    """Return how many answered in the window and, when known, the response rate."""
    facts = [
        catalog.t(
            locale,
            "digest.respondents",
            count=card.current.respondents,
            days=card.commitment.window_days,
        )
    ]
    if card.response_rate is not None:
        rate = format_percent(card.response_rate, locale, 0)
        facts.append(catalog.t(locale, "digest.response_rate", rate=rate))
    return facts
