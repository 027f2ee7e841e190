"""The commitment review pack: a Markdown document with its charts and the aggregates as CSV."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.blocks.scores import TREND_ARROW, format_value, title_of
from bot.i18n import Catalog, format_date, format_percent
from bot.reports.files import PackFile
from bot.reports.review_tables import chart_files, chart_names, csv_files, stem, step_labels
from domain.digests import COMMENT_MIN_RESPONDENTS
from domain.plan_effects import AFTER_OPENED
from domain.reviews import MIN_GROUP, ReviewLine, ReviewPack, ReviewPlan
from domain.scoring import Figure
from domain.tallies import CommitmentInfo


def _cell(text: str) -> str:
    """Return text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _value(shown: Figure, commitment: CommitmentInfo, locale: str | None) -> str:
    if shown.interval is None:
        return "—"
    return format_value(shown.interval.estimate, commitment, locale)


def _summary(pack: ReviewPack, catalog: Catalog, locale: str | None) -> list[str]:
    header = [catalog.t(locale, f"review.md.column.{name}") for name in _COLUMNS]
    rows = [f"| {' | '.join(header)} |", "|" + "---|" * len(header)]
    for line in pack.lines:
        commitment = line.commitment
        counts = line.counts
        rate = counts.response_rate
        share = counts.unsettled_share
        cells = [
            f"{commitment.code} · {title_of(commitment, locale)}",
            _value(line.figure, commitment, locale),
            format_value(commitment.threshold, commitment, locale),
            catalog.t(locale, f"digest.status.{line.figure.status}"),
            str(line.figure.respondents),
            format_percent(rate, locale, 0) if rate is not None else "—",
            format_percent(share, locale, 0) if share is not None else "—",
            f"{TREND_ARROW[line.trend]} {_value(line.previous, commitment, locale)}".strip(),
        ]
        rows.append(f"| {' | '.join(_cell(c) for c in cells)} |")
    return rows


_COLUMNS = (
    "commitment",
    "score",
    "target",
    "status",
    "respondents",
    "response_rate",
    "unsettled",
    "previous",
)


def _plan_line(item: ReviewPlan, line: ReviewLine, catalog: Catalog, locale: str | None) -> str:
    plan = item.plan
    text = catalog.t(
        locale,
        "review.md.plan",
        id=plan.id,
        status=catalog.t(locale, f"plan.status.{plan.status}"),
        opened=format_date(plan.opened_at, locale),
        done=plan.actions_done,
        total=plan.actions_live,
        summary=plan.summary.replace("\n", " "),
    )
    if item.effect is not None:
        basis = "since_opened" if item.effect.basis == AFTER_OPENED else "since_done"
        text += " " + catalog.t(
            locale,
            "review.md.effect",
            before=_value(item.effect.before, line.commitment, locale),
            after=_value(item.effect.after, line.commitment, locale),
            basis=catalog.t(locale, f"plan.effect.{basis}"),
        )
    if plan.reason:
        text += " " + catalog.t(locale, "review.md.reason", reason=plan.reason)
    return f"- {text}"


def _commitment(
    line: ReviewLine, labels: Sequence[str], catalog: Catalog, locale: str | None
) -> list[str]:
    commitment, shown, counts = line.commitment, line.figure, line.counts
    out = [f"## {commitment.code} · {title_of(commitment, locale)}", ""]
    if shown.interval is not None:
        out.append(
            "- "
            + catalog.t(
                locale,
                "digest.score",
                score=f"**{format_value(shown.interval.estimate, commitment, locale)}**",
                low=format_value(shown.interval.low, commitment, locale, unit=False),
                high=format_value(shown.interval.high, commitment, locale),
                threshold=format_value(commitment.threshold, commitment, locale),
            )
            + f" · {catalog.t(locale, f'digest.status.{shown.status}')}"
        )
    else:
        out.append(
            "- "
            + catalog.t(
                locale,
                "review.md.insufficient",
                count=shown.respondents,
                minimum=commitment.min_responses,
            )
        )
    out.append(
        "- "
        + catalog.t(
            locale,
            "review.md.previous",
            arrow=TREND_ARROW[line.trend],
            value=_value(line.previous, commitment, locale),
        )
    )
    rate = counts.response_rate
    out.append(
        "- "
        + catalog.t(
            locale,
            "review.md.respondents",
            count=shown.respondents,
            answers=shown.answers,
            sent=counts.sent,
            rate=format_percent(rate, locale, 0) if rate is not None else "—",
        )
    )
    share = counts.unsettled_share
    out.append(
        "- "
        + (
            catalog.t(
                locale,
                "review.md.unsettled",
                share=format_percent(share, locale, 0),
                count=counts.unsettled,
                reached=counts.reached,
            )
            if share is not None
            else catalog.t(locale, "review.md.unsettled_hidden", minimum=MIN_GROUP)
        )
    )
    steps = ", ".join(
        f"{label} {_value(step, commitment, locale)}"
        for label, step in zip(labels, line.series, strict=True)
    )
    out += ["- " + catalog.t(locale, "review.md.steps", steps=steps), ""]
    out.append(f"### {catalog.t(locale, 'review.md.comments')}")
    out.append("")
    if line.comments:
        out += [f"> {text.replace(chr(10), ' ')}\n" for text in line.comments]
    else:
        out.append(catalog.t(locale, "review.md.no_comments", minimum=COMMENT_MIN_RESPONDENTS))
        out.append("")
    out.append(f"### {catalog.t(locale, 'review.md.plans')}")
    out.append("")
    if line.plans:
        out += [_plan_line(item, line, catalog, locale) for item in line.plans]
    else:
        out.append(catalog.t(locale, "review.md.no_plans"))
    out.append("")
    return out


def review_markdown(pack: ReviewPack, catalog: Catalog, locale: str | None, zone: ZoneInfo) -> str:
    """Return the review as Markdown: the summary table, charts, then commitment by commitment."""
    period = pack.period
    scope = (
        catalog.t(locale, "review.md.service", service=pack.service)
        if pack.service
        else catalog.t(locale, "review.md.all_services")
    )
    last_day = period.end - timedelta(days=1)
    out = [
        f"# {catalog.t(locale, 'review.md.title', period=period.label, scope=scope)}",
        "",
        catalog.t(
            locale,
            "review.md.intro",
            start=format_date(period.start, locale),
            end=format_date(last_day, locale),
            zone=zone.key,
            date=format_date(pack.as_of.astimezone(zone), locale),
        ),
        "",
        catalog.t(locale, "review.md.method", minimum=MIN_GROUP, comments=COMMENT_MIN_RESPONDENTS),
        "",
    ]
    if not pack.lines:
        return "\n".join([*out, catalog.t(locale, "review.md.empty"), ""])
    out += [
        f"## {catalog.t(locale, 'review.md.summary')}",
        "",
        *_summary(pack, catalog, locale),
        "",
    ]
    out += [
        f"![{catalog.t(locale, 'review.chart_title', period=period.label)}]({name})"
        for name in chart_names(pack)
    ]
    out.append("")
    labels = step_labels(pack.buckets, period.kind, locale)
    for line in pack.lines:
        out += _commitment(line, labels, catalog, locale)
    out += [f"## {catalog.t(locale, 'review.md.files')}", ""]
    out += [f"- `{stem(pack)}-{kind}.csv`" for kind in ("scores", "series", "plans")]
    return "\n".join(out) + "\n"


async def render_review(
    pack: ReviewPack, catalog: Catalog, locale: str | None, zone: ZoneInfo
) -> list[PackFile]:
    """Return every file of the pack: the document first, then its charts and CSV files."""
    document = PackFile(
        f"{stem(pack)}.md",
        review_markdown(pack, catalog, locale, zone).encode("utf-8"),
        catalog.t(locale, "review.files.document", period=pack.period.label),
    )
    charts = await chart_files(pack, catalog, locale) if pack.lines else []
    return [document, *charts, *csv_files(pack, catalog, locale)]
