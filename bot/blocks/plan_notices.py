"""What plans send on their own: a carrier's reminder, an escalation, the note to contributors."""

from __future__ import annotations

from datetime import datetime

from bot.blocks.base import Block, Message, button, clip, context, escape, section
from bot.blocks.plan_ids import ACTION_DONE_ACTION, PLAN_OPEN_ACTION, action_value
from bot.i18n import Catalog, format_date
from domain.plan_jobs import DueAction, Escalation
from domain.plan_notes import NoteToSend
from domain.pulse_view import localized


def build_action_reminder(due: DueAction, catalog: Catalog) -> Message:
    """Return the carrier's one reminder, with a button to report the action done."""
    locale = due.locale
    title = localized(locale, due.title, due.title_en)
    text = catalog.t(
        locale,
        "plan.reminder.text",
        action=escape(due.text),
        code=due.code,
        title=escape(title),
        date=format_date(due.due_on, locale),
        owner=due.owner,
    )
    done = button(
        catalog.t(locale, "plan.reminder.done"),
        action_id=ACTION_DONE_ACTION,
        value=action_value(due.plan_id, due.position),
        style="primary",
    )
    return Message(
        text=catalog.t(locale, "plan.reminder.fallback", code=due.code),
        blocks=[
            section(text),
            {"type": "actions", "block_id": "plan.reminder", "elements": [done]},
            context(catalog.t(locale, "plan.reminder.hint", id=due.plan_id, position=due.position)),
        ],
    )


def build_escalation(
    escalation: Escalation, catalog: Catalog, locale: str | None, *, now: datetime, days: float
) -> Message:
    """Return the quality team's notice: breached too long, no open plan, who owns it."""
    title = localized(locale or "fr", escalation.title, escalation.title_en)
    owners = ", ".join(f"<@{user}>" for user in escalation.owners) or catalog.t(
        locale, "plan.escalation.no_owner"
    )
    text = catalog.t(
        locale,
        "plan.escalation.text",
        code=escalation.code,
        title=escape(title),
        since=format_date(escalation.breached_since, locale),
        days=(now - escalation.breached_since).days,
        owners=owners,
    )
    open_plan = button(
        catalog.t(locale, "plan.button.open"),
        action_id=PLAN_OPEN_ACTION,
        value=str(escalation.commitment_id),
    )
    blocks: list[Block] = [
        section(text),
        {"type": "actions", "block_id": "plan.escalation", "elements": [open_plan]},
        context(catalog.t(locale, "plan.escalation.hint", days=f"{days:g}")),
    ]
    return Message(
        text=catalog.t(locale, "plan.escalation.fallback", code=escalation.code), blocks=blocks
    )


def note_blocks(text: str, title: str, catalog: Catalog, locale: str | None) -> list[Block]:
    """Return the note's blocks as one recipient reads it: what changed, nobody named."""
    quoted = "\n".join(f"> {line}" for line in escape(clip(text, 2500)).splitlines() or [""])
    return [
        section(catalog.t(locale, "plan.note.heading", title=escape(title))),
        section(quoted),
        context(catalog.t(locale, "plan.note.privacy")),
    ]


def build_note_message(note: NoteToSend, catalog: Catalog) -> Message:
    """Return the "you said, we did" DM in the recipient's language."""
    return Message(
        text=catalog.t(note.locale, "plan.note.fallback", title=note.title),
        blocks=note_blocks(note.text, note.title, catalog, note.locale),
    )
