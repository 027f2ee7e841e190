"""A pulse preview: what an agent would receive, marked as such, its clicks stored nowhere."""

from __future__ import annotations

from dataclasses import replace

from bot.blocks.admin_ids import PREVIEW_ACTION_PREFIX, preview_value
from bot.blocks.admin_text import notice
from bot.blocks.base import Block, Message, context, escape, section
from bot.blocks.ids import ANSWER_ACTION_PREFIX
from bot.blocks.pulse import build_pulse_question
from bot.i18n import Catalog
from domain.pulse_view import PulseView


def build_preview(view: PulseView, index: int, code: str, catalog: Catalog) -> Message:
    """Return question `index` of the pulse, its buttons turned into preview buttons."""
    if not view.questions:
        return notice(catalog.t(view.locale, "admin.preview.empty", code=code))
    if index >= len(view.questions):
        return build_preview_end(view, catalog)
    shown = _named(view, catalog)
    pulse = build_pulse_question(shown, index, catalog)
    value = preview_value(code, view.locale, index)
    blocks: list[Block] = [_banner(view, catalog)]
    for block in pulse.blocks:
        if block.get("type") == "actions":
            block = {**block, "elements": [_rewired(e, value) for e in block["elements"]]}
        blocks.append(block)
    text = f"{catalog.t(view.locale, 'admin.preview.fallback')} {pulse.text}"
    return Message(text=text, blocks=blocks)


def build_preview_end(view: PulseView, catalog: Catalog) -> Message:
    """Return the thanks that ends the pulse, and what would follow for the agent."""
    blocks: list[Block] = [_banner(view, catalog), section(catalog.t(view.locale, "pulse.thanks"))]
    if view.comment_prompt:
        prompt = escape(view.comment_prompt)
        blocks.append(context(catalog.t(view.locale, "admin.preview.comment", prompt=prompt)))
    blocks.append(context(catalog.t(view.locale, "admin.preview.end")))
    return Message(text=catalog.t(view.locale, "admin.preview.fallback"), blocks=blocks)


def _named(view: PulseView, catalog: Catalog) -> PulseView:
    if view.service_name:
        return view
    return replace(view, service_name=catalog.t(view.locale, "admin.preview.any_service"))


def _banner(view: PulseView, catalog: Catalog) -> Block:
    title = escape(view.commitment_title)
    return context(catalog.t(view.locale, "admin.preview.banner", title=title))


def _rewired(element: dict[str, object], value: str) -> dict[str, object]:
    action_id = str(element.get("action_id", ""))
    if not action_id.startswith(ANSWER_ACTION_PREFIX):
        return element
    suffix = action_id.removeprefix(ANSWER_ACTION_PREFIX)
    return {**element, "action_id": f"{PREVIEW_ACTION_PREFIX}{suffix}", "value": value}
