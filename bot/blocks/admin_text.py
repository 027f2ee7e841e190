"""How changes, values, dates and durations read in each language, for messages and views."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.base import Message, clip, escape, section
from bot.i18n import Catalog, format_date, format_number

_USER = re.compile(r"[UW][A-Z0-9]{2,31}")
MAX_VALUE = 120


def notice(text: str) -> Message:
    """Return a one-section message (answers to commands, refusals, confirmations)."""
    return Message(text=clip(text, 3000), blocks=[section(text)])


def field_label(name: str, catalog: Catalog, locale: str | None) -> str:
    """Return a field's name as readers know it (the raw name when the catalog has none)."""
    key = f"admin.field_name.{name}"
    return catalog.t(locale, key) if key in catalog.keys("fr") else name


USER_FIELDS = ("owners", "granted_by")
USER_ACTIONS = ("role.grant", "role.revoke", "schedule.set")


def show_value(value: Any, catalog: Catalog, locale: str | None, *, users: bool = False) -> str:
    """Return a stored value as text: numbers the locale's way, users (if so) as mentions."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return catalog.t(locale, "admin.word_yes" if value else "admin.word_no")
    if isinstance(value, float):
        return format_number(value, locale, 0 if value.is_integer() else 1)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return ", ".join(show_value(i, catalog, locale, users=users) for i in value) or "—"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} : {show_value(v, catalog, locale)}" for k, v in value.items())
    text = str(value)
    if users and _USER.fullmatch(text):
        return f"<@{text}>"
    return escape(clip(text, MAX_VALUE))


def change_lines(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    catalog: Catalog,
    locale: str | None,
) -> list[str]:
    """Return one `field : old → new` line per changed field."""
    old, new = before or {}, after or {}
    lines: list[str] = []
    for name in dict.fromkeys([*old, *new]):
        label = field_label(name, catalog, locale)
        users = name in USER_FIELDS
        if name in old and name in new:
            was, now = (show_value(side[name], catalog, locale, users=users) for side in (old, new))
            shown = f"{was} → {now}"
        else:
            shown = show_value(new.get(name, old.get(name)), catalog, locale, users=users)
        lines.append(f"{label} : {shown}")
    return lines


def target_text(action: str, target: str) -> str:
    """Return what a change was made to: a person as a mention, a code as it is."""
    return f"<@{target}>" if action in USER_ACTIONS else escape(target)


def action_label(action: str, catalog: Catalog, locale: str | None) -> str:
    """Return what an audited action did, in words (`commitment.threshold` → "Objectif")."""
    key = f"admin.action.{action.replace('.', '_')}"
    return catalog.t(locale, key) if key in catalog.keys("fr") else action


def date_time(instant: datetime, zone: ZoneInfo, catalog: Catalog, locale: str | None) -> str:
    """Return `2 mars 2026 à 14:05` / `2 March 2026 at 14:05`, in the deployment's zone."""
    local = instant.astimezone(zone)
    return catalog.t(
        locale, "admin.date_time", date=format_date(local, locale), time=f"{local:%H:%M}"
    )


def duration(span: timedelta, catalog: Catalog, locale: str | None) -> str:
    """Return a duration in minutes, or hours and minutes."""
    minutes = max(0, int(span.total_seconds() // 60))
    if minutes < 60:
        return catalog.t(locale, "admin.minutes", minutes=minutes)
    return catalog.t(locale, "admin.hours", hours=minutes // 60, minutes=f"{minutes % 60:02d}")
