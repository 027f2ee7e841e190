"""Identifiers of the action-plan surfaces, shared by the builders and their listeners."""

from __future__ import annotations

import json

# Buttons: open (or show) a commitment's plan; a carrier reports their action done.
PLAN_OPEN_ACTION = "plan.open"
ACTION_DONE_ACTION = "plan.action_done"
# Modals: the plan form, the read-only plan, the note to contributors and its preview.
PLAN_FORM_VIEW = "plan.form"
PLAN_VIEW = "plan.view"
NOTE_FORM_VIEW = "plan.note"
NOTE_CONFIRM_VIEW = "plan.note_confirm"
NOTE_DONE_VIEW = "plan.note_done"
SUMMARY_BLOCK = "summary"
NOTE_TEXT_BLOCK = "text"
NOTE_TEXT_EN_BLOCK = "text_en"
ACTION_FIELDS = ("text", "carrier", "due")


def action_block(index: int, field: str) -> str:
    """Return the block_id of one field of the `index`-th action slot (1-based)."""
    return f"action{index}_{field}"


def note_metadata(plan_id: int, text: str, text_en: str | None) -> str:
    """Encode the previewed note in the confirmation's private_metadata (3,000 characters)."""
    return json.dumps({"plan": plan_id, "text": text, "text_en": text_en}, ensure_ascii=False)


def parse_note_metadata(metadata: str) -> tuple[int, str, str | None]:
    """Decode the previewed note; ValueError if malformed."""
    data = json.loads(metadata)
    if not isinstance(data, dict) or not isinstance(data.get("plan"), int):
        raise ValueError("malformed note confirmation")
    text, english = data.get("text"), data.get("text_en")
    if not isinstance(text, str) or not (english is None or isinstance(english, str)):
        raise ValueError("malformed note confirmation")
    return data["plan"], text, english


def action_value(plan_id: int, position: int) -> str:
    """Encode an action as a button value (`12.2`)."""
    return f"{plan_id}.{position}"
