"""The audit log as admins read it: newest first, who, when, what, before and after."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.admin_ids import AUDIT_VIEW
from bot.blocks.admin_lists import packed
from bot.blocks.admin_text import action_label, change_lines, date_time, target_text
from bot.blocks.admin_views import difference_lines
from bot.blocks.base import Message, clip, plain
from bot.i18n import Catalog
from domain.charter_admin import Difference
from storage.tables import AuditEntry

MAX_CHANGES = 600


def audit_lines(
    entries: Sequence[AuditEntry], zone: ZoneInfo, catalog: Catalog, locale: str | None
) -> list[str]:
    """Return one paragraph per entry."""
    lines = []
    for entry in entries:
        head = catalog.t(
            locale,
            "admin.audit.line",
            when=date_time(entry.at, zone, catalog, locale),
            actor=entry.actor,
            action=action_label(entry.action, catalog, locale),
            target=target_text(entry.action, entry.target),
        )
        changes = " · ".join(_changes(entry, catalog, locale))
        lines.append(f"{head}\n> {clip(changes, MAX_CHANGES)}" if changes else head)
    return lines


def _changes(entry: AuditEntry, catalog: Catalog, locale: str | None) -> list[str]:
    if entry.action == "charter.import" and entry.after:
        # An import lists what it changed item by item, as its confirmation did.
        items = [Difference(**item) for item in entry.after.get("changes", [])]
        return [line.removeprefix("• ") for line in difference_lines(items, catalog, locale)]
    return change_lines(entry.before, entry.after, catalog, locale)


def build_audit(
    entries: Sequence[AuditEntry], zone: ZoneInfo, catalog: Catalog, locale: str | None
) -> Message:
    """Return the latest changes as a message."""
    if not entries:
        text = catalog.t(locale, "admin.audit.empty")
        return Message(text=text, blocks=packed(text, []))
    title = catalog.t(locale, "admin.audit.title", count=len(entries))
    return Message(
        text=title, blocks=packed(f"*{title}*", audit_lines(entries, zone, catalog, locale))
    )


def build_audit_modal(
    entries: Sequence[AuditEntry], zone: ZoneInfo, catalog: Catalog, locale: str | None
) -> dict[str, Any]:
    """Return the latest changes in a modal (from the Home tab)."""
    message = build_audit(entries, zone, catalog, locale)
    return {
        "type": "modal",
        "callback_id": AUDIT_VIEW,
        "title": plain(catalog.t(locale, "admin.audit.modal_title"), 24),
        "close": plain(catalog.t(locale, "admin.form.close"), 24),
        "blocks": message.blocks,
    }
