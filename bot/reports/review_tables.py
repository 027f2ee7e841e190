"""The review pack's CSV files (the aggregates, for spreadsheets) and its charts (PNG)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.blocks.scores import scale_of, title_of
from bot.charts import MAX_PANELS, ChartSeries, render_chart_async
from bot.i18n import Catalog, format_date
from bot.reports.files import PackFile, csv_bytes
from domain.review_periods import MONTH
from domain.reviews import ReviewLine, ReviewPack
from storage.tables import PlanStatus

SCORE_COLUMNS = (
    "service",
    "commitment",
    "title",
    "metric",
    "threshold",
    "score",
    "ci_low",
    "ci_high",
    "status",
    "respondents",
    "answers",
    "previous_score",
    "trend",
    "sent",
    "answered",
    "response_rate",
    "unsettled",
    "unsettled_share",
    "plans_open",
    "plans_done",
    "plans_dropped",
)
SERIES_COLUMNS = ("commitment", "from", "to", "respondents", "score")
PLAN_COLUMNS = (
    "plan",
    "commitment",
    "status",
    "opened",
    "closed",
    "actions_done",
    "actions",
    "score_before",
    "score_after",
    "after_window",
    "reason",
)


def stem(pack: ReviewPack) -> str:
    """Return the common start of the pack's file names: `review-2026-Q3[-SI]`."""
    return f"review-{pack.period.label}" + (f"-{pack.service}" if pack.service else "")


def _score_row(line: ReviewLine) -> list[object]:
    interval = line.figure.interval
    counts = line.counts
    plans = [p.plan.status for p in line.plans]
    return [
        line.service or "",
        line.commitment.code,
        line.commitment.title,
        line.commitment.metric,
        line.commitment.threshold,
        interval.estimate if interval else None,
        interval.low if interval else None,
        interval.high if interval else None,
        line.figure.status.value,
        line.figure.respondents,
        line.figure.answers,
        line.previous.estimate,
        line.trend.value,
        counts.sent,
        counts.answered,
        counts.response_rate,
        counts.unsettled if counts.unsettled_share is not None else None,
        counts.unsettled_share,
        plans.count(PlanStatus.OPEN),
        plans.count(PlanStatus.DONE),
        plans.count(PlanStatus.DROPPED),
    ]


def csv_files(pack: ReviewPack, catalog: Catalog, locale: str | None) -> list[PackFile]:
    """Return the aggregates as three CSV files: scores, the period step by step, plans."""
    name = stem(pack)
    series = [
        [
            line.commitment.code,
            start.isoformat(),
            (end - timedelta(days=1)).isoformat(),
            shown.respondents,
            shown.estimate,
        ]
        for line in pack.lines
        for (start, end), shown in zip(pack.buckets, line.series, strict=True)
    ]
    plans = [
        [
            item.plan.id,
            line.commitment.code,
            item.plan.status.value,
            item.plan.opened_at.date().isoformat(),
            item.plan.closed_at.date().isoformat() if item.plan.closed_at else None,
            item.plan.actions_done,
            item.plan.actions_live,
            item.effect.before.estimate if item.effect else None,
            item.effect.after.estimate if item.effect else None,
            item.effect.basis if item.effect else None,
            item.plan.reason,
        ]
        for line in pack.lines
        for item in line.plans
    ]
    return [
        PackFile(
            f"{name}-scores.csv",
            csv_bytes(SCORE_COLUMNS, [_score_row(line) for line in pack.lines]),
            catalog.t(locale, "review.files.scores"),
        ),
        PackFile(
            f"{name}-series.csv",
            csv_bytes(SERIES_COLUMNS, series),
            catalog.t(locale, "review.files.series"),
        ),
        PackFile(
            f"{name}-plans.csv",
            csv_bytes(PLAN_COLUMNS, plans),
            catalog.t(locale, "review.files.plans"),
        ),
    ]


def step_labels(buckets: Sequence[tuple[date, date]], kind: str, locale: str | None) -> list[str]:
    """Return the chart's x labels: `1–7` for a month's weeks, month names otherwise."""
    if kind == MONTH:
        return [f"{start.day}–{(end - timedelta(days=1)).day}" for start, end in buckets]
    return [format_date(start, locale).split(" ")[1] for start, _ in buckets]


def chart_names(pack: ReviewPack) -> list[str]:
    """Return the charts' file names (six commitments per chart)."""
    charted = [line for line in pack.lines if any(f.estimate is not None for f in line.series)]
    count = (len(charted) + MAX_PANELS - 1) // MAX_PANELS
    return [f"{stem(pack)}-chart-{index}.png" for index in range(1, count + 1)]


async def chart_files(pack: ReviewPack, catalog: Catalog, locale: str | None) -> list[PackFile]:
    """Draw each commitment's steps against its target, six commitments per PNG."""
    charted = [line for line in pack.lines if any(f.estimate is not None for f in line.series)]
    labels = step_labels(pack.buckets, pack.period.kind, locale)
    files: list[PackFile] = []
    for index, name in enumerate(chart_names(pack)):
        chunk = charted[index * MAX_PANELS : (index + 1) * MAX_PANELS]
        series = [
            ChartSeries(
                f"{line.commitment.code} · {title_of(line.commitment, locale)}",
                [shown.estimate for shown in line.series],
                line.commitment.threshold,
                *scale_of(line.commitment),
            )
            for line in chunk
        ]
        png = await render_chart_async(
            series,
            title=catalog.t(locale, "review.chart_title", period=pack.period.label),
            week_labels=labels,
            threshold_label=catalog.t(locale, "digest.chart_threshold"),
        )
        files.append(PackFile(name, png, catalog.t(locale, "review.files.chart", number=index + 1)))
    return files
