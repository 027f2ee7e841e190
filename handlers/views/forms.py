"""Read a submitted form's values, and turn refusals into Slack's inline field errors."""

from __future__ import annotations

from typing import Any

from bot.blocks.admin_ids import INPUT
from bot.i18n import Catalog
from domain.charter_admin import FieldErrors
from domain.errors import DomainError


def form_values(view: dict[str, Any]) -> dict[str, Any]:
    """Return {block_id: value}: text, the chosen option's value, or the picked users."""
    values: dict[str, Any] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        state = actions.get(INPUT) or {}
        if "selected_option" in state:
            option = state.get("selected_option") or {}
            values[block_id] = option.get("value")
        elif "selected_users" in state:
            values[block_id] = tuple(state.get("selected_users") or ())
        else:
            values[block_id] = state.get("value")
    return values


def inline_errors(
    refusal: DomainError, view: dict[str, Any], catalog: Catalog, locale: str | None
) -> dict[str, str]:
    """Map a refusal onto the form's inputs; what names no input goes on the first one."""
    inputs = [b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input"]
    problems = (
        refusal.problems
        if isinstance(refusal, FieldErrors)
        else {"": (refusal.key, refusal.params)}
    )
    errors: dict[str, str] = {}
    for name, (key, params) in problems.items():
        block = name if name in inputs else inputs[0]
        text = catalog.t(locale, key, **params)
        errors[block] = f"{errors[block]} {text}" if block in errors else text
    return errors
