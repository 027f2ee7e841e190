"""`/ecoute help`: what the caller may do, by role, and the answers to unknown commands."""

from __future__ import annotations

from bot.blocks.admin_text import notice
from bot.blocks.base import Block, Message, context, section
from bot.i18n import Catalog

EVERYONE = ("help", "home", "optout")
OWNERS = (
    "stats",
    "services",
    "commitments",
    "questions",
    "question_preview",
    "schedule",
    "plans",
    "plan_open",
    "plan_show",
    "plan_update",
    "plan_note",
    "review",
)
ADMINS = (
    "commitment_add",
    "commitment_edit",
    "commitment_threshold",
    "commitment_window",
    "commitment_min",
    "commitment_owners",
    "commitment_archive",
    "question_add",
    "question_edit",
    "question_reorder",
    "question_archive",
    "service_pause",
    "roles",
    "schedules",
    "charter",
    "audit",
)


def build_help(role: str, catalog: Catalog, locale: str | None) -> Message:
    """Return the commands `role` (admin, owner or agent) may use, in the reader's language."""
    groups: list[tuple[str, tuple[str, ...]]] = [("help.everyone", EVERYONE)]
    if role in ("owner", "admin"):
        groups.append(("help.owners", OWNERS))
    if role == "admin":
        groups.append(("help.admins", ADMINS))
    role_name = catalog.t(locale, f"admin.role.{role}")
    blocks: list[Block] = [section(catalog.t(locale, "help.title", role=role_name))]
    for heading, names in groups:
        lines = [catalog.t(locale, heading)]
        lines += [f"• {catalog.t(locale, f'help.{name}')}" for name in names]
        blocks.append(section("\n".join(lines)))
    blocks.append(context(catalog.t(locale, "help.footer")))
    return Message(text=catalog.t(locale, "help.title", role=role_name), blocks=blocks)


def build_usage(name: str, catalog: Catalog, locale: str | None) -> Message:
    """Return how a command is written, when arguments are missing or extra."""
    return notice(catalog.t(locale, "admin.usage", line=catalog.t(locale, f"help.{name}")))


def build_unknown_command(
    word: str, suggestion: str | None, catalog: Catalog, locale: str | None
) -> Message:
    """Return the answer to a word the command does not know, with the nearest one if any."""
    if suggestion:
        text = catalog.t(locale, "admin.unknown_command_suggest", word=word, suggestion=suggestion)
    else:
        text = catalog.t(locale, "admin.unknown_command", word=word)
    return notice(text)
