"""Lists answered to commands (services, commitments, questions, roles, schedules) and results."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.blocks.admin_text import action_label, change_lines, date_time, notice, target_text
from bot.blocks.base import Block, Message, context, escape, section
from bot.i18n import Catalog, format_number, format_percent
from domain.admin_commitments import CommitmentLine
from domain.admin_questions import QuestionList
from domain.admin_services import ScheduleInfo, ServiceLine
from domain.charter_admin import Change
from domain.pulse_view import localized
from domain.roles import RoleLine

PERCENT_METRICS = ("csat", "yes_rate", "effort")
SECTION_CHARS = 2900
MAX_SECTIONS = 45


def threshold_text(metric: str, value: float, locale: str | None) -> str:
    """Return a target in its metric's unit: `80 %`, `+20`, `4,2`."""
    decimals = 0 if value.is_integer() else 1
    if metric in PERCENT_METRICS:
        return format_percent(value, locale, decimals)
    if metric == "nps":
        return f"{value:+.0f}"
    return format_number(value, locale, decimals)


def packed(title: str, lines: Sequence[str]) -> list[Block]:
    """Return a title and lines packed into as few sections as Slack's limits allow."""
    blocks: list[Block] = [section(title)]
    chunk: list[str] = []
    for line in lines:
        if chunk and len("\n".join([*chunk, line])) > SECTION_CHARS:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    return blocks[:MAX_SECTIONS]


def build_services(lines: Sequence[ServiceLine], catalog: Catalog, locale: str | None) -> Message:
    """Return the live services, paused ones marked."""
    title = catalog.t(locale, "admin.list.services", count=len(lines))
    rows = []
    for line in lines:
        owners = ", ".join(f"<@{user}>" for user in line.owners)
        state = catalog.t(locale, "admin.list.paused" if line.paused else "admin.list.active")
        rows.append(
            catalog.t(
                locale,
                "admin.list.service_line",
                code=line.code,
                name=escape(localized(locale or "fr", line.name, line.name_en)),
                count=line.commitments,
                owners=owners,
                state=state,
            )
        )
    return Message(text=title, blocks=packed(f"*{title}*", rows))


def build_commitments(
    lines: Sequence[CommitmentLine], catalog: Catalog, locale: str | None
) -> Message:
    """Return the commitments with their targets, windows and owners."""
    title = catalog.t(locale, "admin.list.commitments", count=len(lines))
    rows = [
        catalog.t(
            locale,
            "admin.list.commitment_line",
            code=line.code,
            service=line.service or catalog.t(locale, "admin.list.common"),
            title=escape(localized(locale or "fr", line.title, line.title_en)),
            metric=line.metric,
            threshold=threshold_text(line.metric, line.threshold, locale),
            days=line.window_days,
            minimum=line.min_responses,
            questions=line.questions,
            owners=", ".join(f"<@{user}>" for user in line.owners),
        )
        for line in lines
    ]
    return Message(text=title, blocks=packed(f"*{title}*", rows))


def build_questions(listing: QuestionList, catalog: Catalog, locale: str | None) -> Message:
    """Return a commitment's questions in pulse order, archived ones last."""
    title = catalog.t(
        locale, "admin.list.questions", code=listing.commitment, title=escape(listing.title)
    )
    rows = []
    for q in listing.questions:
        text = escape(q.text_en if locale == "en" else q.text_fr)
        kind = catalog.t(locale, f"admin.kind.{q.kind}")
        key = "admin.list.question_line" if q.active else "admin.list.question_archived"
        rows.append(catalog.t(locale, key, code=q.code, position=q.position, kind=kind, text=text))
    return Message(text=title, blocks=packed(f"*{title}*", rows))


def build_roles(lines: Sequence[RoleLine], catalog: Catalog, locale: str | None) -> Message:
    """Return who holds which role, configured admins marked."""
    title = catalog.t(locale, "admin.list.roles", count=len(lines))
    rows = []
    for line in lines:
        role = catalog.t(locale, f"admin.role.{line.role}")
        if line.configured:
            rows.append(
                catalog.t(locale, "admin.list.role_configured", user=line.user_id, role=role)
            )
        else:
            rows.append(
                catalog.t(
                    locale,
                    "admin.list.role_line",
                    user=line.user_id,
                    role=role,
                    by=line.granted_by or "?",
                )
            )
    return Message(text=title, blocks=packed(f"*{title}*", rows))


def build_schedules(infos: Sequence[ScheduleInfo], catalog: Catalog, locale: str | None) -> Message:
    """Return every owner's digest schedule."""
    title = catalog.t(locale, "admin.list.schedules", count=len(infos))
    rows = [
        catalog.t(locale, "admin.list.schedule_line", user=i.user_id, schedule=i.schedule)
        for i in infos
    ]
    return Message(text=title, blocks=packed(f"*{title}*", rows))


def build_schedule(
    info: ScheduleInfo, zone: ZoneInfo, catalog: Catalog, locale: str | None
) -> Message:
    """Return one person's schedule and their next digest."""
    text = catalog.t(locale, "admin.schedule.current", user=info.user_id, schedule=info.schedule)
    if info.next_at is not None:
        when = date_time(info.next_at, zone, catalog, locale)
        text += "\n" + catalog.t(locale, "admin.schedule.next", when=when)
    blocks: list[Block] = [section(text), context(catalog.t(locale, "admin.schedule.hint"))]
    return Message(text=text, blocks=blocks)


def build_done(change: Change, catalog: Catalog, locale: str | None) -> Message:
    """Return what a change did, or that nothing needed changing."""
    if not change.changed:
        target = target_text(change.action, change.target)
        return notice(catalog.t(locale, "admin.done.nothing", target=target))
    heading = catalog.t(
        locale,
        "admin.done.changed",
        action=action_label(change.action, catalog, locale),
        target=target_text(change.action, change.target),
    )
    lines = change_lines(change.before, change.after, catalog, locale)
    return notice("\n".join([heading, *(f"• {line}" for line in lines)]))
