"""Plans as messages: the plan button, the digest's plan line, lists, one plan, changes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.admin_lists import packed
from bot.blocks.admin_text import notice
from bot.blocks.audit import audit_lines
from bot.blocks.base import Block, Message, button, context, escape, plain, section
from bot.blocks.plan_ids import PLAN_OPEN_ACTION, PLAN_VIEW
from bot.blocks.scores import format_value
from bot.i18n import Catalog, format_date
from domain.plan_effects import AFTER_OPENED, PlanDigest, PlanEffect
from domain.plan_views import PlanDetails, PlanLine
from domain.plans import PlanChange
from domain.scoring import Figure
from domain.tallies import CommitmentInfo
from storage.tables import PlanStatus

STATUS_MARK = {
    PlanStatus.OPEN: ":hourglass_flowing_sand:",
    PlanStatus.DONE: ":white_check_mark:",
    PlanStatus.DROPPED: ":heavy_multiplication_x:",
}


def plan_button(
    commitment_id: int, catalog: Catalog, locale: str | None, *, open_plan: int | None = None
) -> dict[str, Any]:
    """Return the button that opens a plan for a commitment, or shows the one already open."""
    text = (
        catalog.t(locale, "plan.button.show", id=open_plan)
        if open_plan is not None
        else catalog.t(locale, "plan.button.open")
    )
    return button(text, action_id=PLAN_OPEN_ACTION, value=str(commitment_id))


def figure_text(
    shown: Figure, commitment: CommitmentInfo, catalog: Catalog, locale: str | None
) -> str:
    """Return `72 % (14 respondents)`, or why there is no score."""
    if shown.interval is None:
        return catalog.t(
            locale,
            "plan.effect.insufficient",
            count=shown.respondents,
            minimum=commitment.min_responses,
        )
    return catalog.t(
        locale,
        "plan.effect.figure",
        value=format_value(shown.interval.estimate, commitment, locale),
        count=shown.respondents,
    )


def effect_text(
    effect: PlanEffect, commitment: CommitmentInfo, catalog: Catalog, locale: str | None
) -> str:
    """Return `before … → after …`, on windows of the same length, saying which after-window."""
    basis = "since_opened" if effect.basis == AFTER_OPENED else "since_done"
    return catalog.t(
        locale,
        "plan.effect.line",
        before=figure_text(effect.before, commitment, catalog, locale),
        after=figure_text(effect.after, commitment, catalog, locale),
        basis=catalog.t(locale, f"plan.effect.{basis}"),
    )


def plan_digest_line(
    plan: PlanDigest, commitment: CommitmentInfo, catalog: Catalog, locale: str | None
) -> str:
    """Return the digest's line about a commitment's plan: progress, or its effect once done."""
    if plan.status == PlanStatus.OPEN or plan.effect is None:
        return catalog.t(
            locale,
            "plan.digest.open",
            id=plan.plan_id,
            date=format_date(plan.opened_at, locale),
            done=plan.actions_done,
            total=plan.actions_total,
        )
    done_on = format_date(plan.closed_at or plan.opened_at, locale)
    head = catalog.t(locale, "plan.digest.done", id=plan.plan_id, date=done_on)
    return f"{head} {effect_text(plan.effect, commitment, catalog, locale)}"


def _status(plan: PlanLine, catalog: Catalog, locale: str | None) -> str:
    return catalog.t(locale, f"plan.status.{plan.status}")


def _heading(plan: PlanLine, catalog: Catalog, locale: str | None) -> str:
    return catalog.t(
        locale,
        "plan.list.line",
        mark=STATUS_MARK[plan.status],
        id=plan.id,
        code=plan.code,
        title=escape(title_of_line(plan, locale)),
        status=_status(plan, catalog, locale),
        done=plan.actions_done,
        total=plan.actions_live,
        date=format_date(plan.opened_at, locale),
    )


def title_of_line(plan: PlanLine, locale: str | None) -> str:
    """Return the plan's commitment title in the reader's language."""
    return plan.title_en if locale == "en" and plan.title_en else plan.title


def build_plan_list(plans: Sequence[PlanLine], catalog: Catalog, locale: str | None) -> Message:
    """Return the plans one may follow, open ones first."""
    if not plans:
        return notice(catalog.t(locale, "plan.list.empty"))
    title = catalog.t(locale, "plan.list.title", count=len(plans))
    blocks = packed(f"*{title}*", [_heading(plan, catalog, locale) for plan in plans])
    blocks.append(context(catalog.t(locale, "plan.list.hint")))
    return Message(text=title, blocks=blocks)


def _action_lines(plan: PlanLine, catalog: Catalog, locale: str | None) -> list[str]:
    lines = []
    for action in plan.actions:
        line = catalog.t(
            locale,
            "plan.show.action",
            mark=STATUS_MARK[action.status],
            id=plan.id,
            position=action.position,
            text=escape(action.text),
            carrier=action.carrier,
            date=format_date(action.due_on, locale),
            status=catalog.t(locale, f"plan.status.{action.status}"),
        )
        if action.reason:
            line += " — " + escape(action.reason)
        lines.append(line)
    return lines


def plan_blocks(
    details: PlanDetails, catalog: Catalog, locale: str | None, zone: ZoneInfo
) -> list[Block]:
    """Return one plan: what will change, its actions, its effect once done, its history."""
    plan = details.plan
    head = _heading(plan, catalog, locale)
    body = [head, f"> {escape(plan.summary)}".replace("\n", "\n> ")]
    if plan.reason:
        body.append(catalog.t(locale, "plan.show.reason", reason=escape(plan.reason)))
    blocks: list[Block] = [section("\n".join(body))]
    blocks += packed(
        f"*{catalog.t(locale, 'plan.show.actions')}*", _action_lines(plan, catalog, locale)
    )
    if details.effect is not None and details.commitment is not None:
        blocks.append(section(effect_text(details.effect, details.commitment, catalog, locale)))
    if plan.note is not None:
        blocks.append(
            context(
                catalog.t(
                    locale,
                    "plan.show.note",
                    date=format_date(plan.note.at, locale),
                    queued=plan.note.queued,
                    delivered=plan.note.delivered,
                    skipped=plan.note.skipped,
                    unreachable=plan.note.unreachable,
                )
            )
        )
    elif plan.status == PlanStatus.DONE:
        blocks.append(context(catalog.t(locale, "plan.show.note_hint", id=plan.id)))
    history = audit_lines(details.history, zone, catalog, locale)
    if history:
        blocks += packed(f"*{catalog.t(locale, 'plan.show.history')}*", history)
    return blocks[:50]


def build_plan_message(
    details: PlanDetails, catalog: Catalog, locale: str | None, zone: ZoneInfo
) -> Message:
    """Return one plan as an answer to `/ecoute plan show`."""
    text = catalog.t(locale, "plan.show.fallback", id=details.plan.id, code=details.plan.code)
    return Message(text=text, blocks=plan_blocks(details, catalog, locale, zone))


def build_plan_view(
    details: PlanDetails, catalog: Catalog, locale: str | None, zone: ZoneInfo
) -> dict[str, Any]:
    """Return one plan in a modal (the plan button of a commitment that has one open)."""
    return {
        "type": "modal",
        "callback_id": PLAN_VIEW,
        "title": plain(catalog.t(locale, "plan.show.modal_title", id=details.plan.id), 24),
        "close": plain(catalog.t(locale, "admin.form.close"), 24),
        "blocks": plan_blocks(details, catalog, locale, zone),
    }


def build_plan_change(change: PlanChange, catalog: Catalog, locale: str | None) -> Message:
    """Return what a done or drop did."""
    which = "action" if change.position is not None else "plan"
    return notice(
        catalog.t(
            locale,
            f"plan.changed.{which}_{change.status}",
            id=change.plan_id,
            position=change.position or 0,
            code=change.code,
        )
    )
