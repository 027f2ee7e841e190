"""Validate messages and views against Block Kit's rules and limits, as Slack would."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Literal

from bot.sandbox.composition import (
    ID_MAX,
    URL_MAX,
    Json,
    Problem,
    Problems,
    array,
    boolean,
    ident,
    known_keys,
    obj,
    string,
    text_object,
)
from bot.sandbox.elements import (
    ACCESSORY_ELEMENTS,
    ACTIONS_ELEMENTS,
    INPUT_ELEMENTS,
    element,
    image_element,
)

Surface = Literal["message", "modal", "home"]

MESSAGE_TEXT_MAX = 40_000
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
VIEW_BYTES_MAX = 250_000
MISSING_FALLBACK = "missing plain-text fallback for blocks (notifications and screen readers)"
_RICH_TEXT_PARTS = frozenset(
    {"rich_text_section", "rich_text_list", "rich_text_preformatted", "rich_text_quote"}
)


class _Scope:
    """What one surface's blocks share: where they are and the block_ids seen so far."""

    def __init__(self, surface: Surface, out: Problems) -> None:
        self.surface = surface
        self.out = out
        self.block_ids: set[str] = set()


def _section(block: Json, path: str, scope: _Scope) -> None:
    out = scope.out
    known_keys(
        block, frozenset({"type", "block_id", "text", "fields", "accessory", "expand"}), path, out
    )
    if "text" not in block and "fields" not in block:
        out.add(path, "needs text or fields")
    if "text" in block:
        text_object(block["text"], f"{path}.text", out, max_len=3000)
    if "fields" in block:
        fields = array(block["fields"], f"{path}.fields", out, max_items=10, noun="fields")
        for index, field in enumerate(fields):
            text_object(field, f"{path}.fields[{index}]", out, max_len=2000)
    if "accessory" in block:
        element(block["accessory"], f"{path}.accessory", out, allowed=ACCESSORY_ELEMENTS)
    boolean(block, "expand", path, out)


def _actions(block: Json, path: str, scope: _Scope) -> None:
    out = scope.out
    known_keys(block, frozenset({"type", "block_id", "elements"}), path, out)
    elements = array(block.get("elements"), f"{path}.elements", out, max_items=25, noun="elements")
    action_ids: set[str] = set()
    for index, item in enumerate(elements):
        where = f"{path}.elements[{index}]"
        checked = element(item, where, out, allowed=ACTIONS_ELEMENTS)
        action_id = checked.get("action_id") if checked is not None else None
        if isinstance(action_id, str):
            if action_id in action_ids:
                out.add(f"{where}.action_id", f"duplicate action_id {action_id!r} in this block")
            action_ids.add(action_id)


def _context(block: Json, path: str, scope: _Scope) -> None:
    out = scope.out
    known_keys(block, frozenset({"type", "block_id", "elements"}), path, out)
    elements = array(block.get("elements"), f"{path}.elements", out, max_items=10, noun="elements")
    for index, item in enumerate(elements):
        where = f"{path}.elements[{index}]"
        part = obj(item, where, out)
        if part is None:
            continue
        if part.get("type") == "image":
            image_element(part, where, out)
        else:
            text_object(part, where, out, max_len=3000)


def _header(block: Json, path: str, scope: _Scope) -> None:
    known_keys(block, frozenset({"type", "block_id", "text"}), path, scope.out)
    if "text" not in block:
        scope.out.add(f"{path}.text", "required")
    else:
        text_object(block["text"], f"{path}.text", scope.out, max_len=150, plain_only=True)


def _divider(block: Json, path: str, scope: _Scope) -> None:
    known_keys(block, frozenset({"type", "block_id"}), path, scope.out)


def _image(block: Json, path: str, scope: _Scope) -> None:
    out = scope.out
    allowed = frozenset({"type", "block_id", "image_url", "slack_file", "alt_text", "title"})
    known_keys(block, allowed, path, out)
    if ("image_url" in block) == ("slack_file" in block):
        out.add(path, "needs exactly one of image_url or slack_file")
    string(block, "image_url", path, out, max_len=URL_MAX, min_len=1)
    string(block, "alt_text", path, out, max_len=2000, required=True, min_len=1)
    if "title" in block:
        text_object(block["title"], f"{path}.title", out, max_len=2000, plain_only=True)


def _input(block: Json, path: str, scope: _Scope) -> None:
    out = scope.out
    if scope.surface == "message":
        out.add(f"{path}.type", "input blocks are only allowed in modals and Home tabs")
    allowed = {"type", "block_id", "label", "element", "hint", "optional", "dispatch_action"}
    known_keys(block, frozenset(allowed), path, out)
    if "label" in block:
        text_object(block["label"], f"{path}.label", out, max_len=2000, plain_only=True)
    else:
        out.add(f"{path}.label", "required")
    if "hint" in block:
        text_object(block["hint"], f"{path}.hint", out, max_len=2000, plain_only=True)
    if "element" in block:
        element(block["element"], f"{path}.element", out, allowed=INPUT_ELEMENTS)
    else:
        out.add(f"{path}.element", "required")
    boolean(block, "optional", path, out)
    boolean(block, "dispatch_action", path, out)


def _rich_text(block: Json, path: str, scope: _Scope) -> None:
    out = scope.out
    known_keys(block, frozenset({"type", "block_id", "elements"}), path, out)
    parts = array(block.get("elements"), f"{path}.elements", out, max_items=1000, noun="elements")
    for index, item in enumerate(parts):
        where = f"{path}.elements[{index}]"
        part = obj(item, where, out)
        if part is None:
            continue
        kind = part.get("type")
        if not isinstance(kind, str) or kind not in _RICH_TEXT_PARTS:
            out.add(f"{where}.type", f"unknown rich text element {kind!r}")
        elif not isinstance(part.get("elements"), list):
            out.add(f"{where}.elements", "required array")


def _file(block: Json, path: str, scope: _Scope) -> None:
    out = scope.out
    known_keys(block, frozenset({"type", "block_id", "external_id", "source"}), path, out)
    string(block, "external_id", path, out, max_len=ID_MAX, required=True, min_len=1)
    if block.get("source") != "remote":
        out.add(f"{path}.source", "must be 'remote'")


def _markdown(block: Json, path: str, scope: _Scope) -> None:
    known_keys(block, frozenset({"type", "block_id", "text"}), path, scope.out)
    string(block, "text", path, scope.out, max_len=12_000, required=True, min_len=1)


_BLOCK_CHECKS: Mapping[str, Callable[[Json, str, _Scope], None]] = MappingProxyType(
    {
        "section": _section,
        "actions": _actions,
        "context": _context,
        "header": _header,
        "divider": _divider,
        "image": _image,
        "input": _input,
        "rich_text": _rich_text,
        "file": _file,
        "markdown": _markdown,
    }
)


def _blocks(value: Any, scope: _Scope, *, max_items: int) -> None:
    out = scope.out
    blocks = array(value, "blocks", out, max_items=max_items, min_items=0, noun="blocks")
    for index, item in enumerate(blocks):
        path = f"blocks[{index}]"
        block = obj(item, path, out)
        if block is None:
            continue
        kind = block.get("type")
        if not isinstance(kind, str) or kind not in _BLOCK_CHECKS:
            out.add(f"{path}.type", f"unknown block type {kind!r}")
            continue
        ident(block, "block_id", path, out)
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in scope.block_ids:
                out.add(f"{path}.block_id", f"duplicate block_id {block_id!r}")
            scope.block_ids.add(block_id)
        _BLOCK_CHECKS[kind](block, path, scope)


def message_problems(payload: Mapping[str, Any]) -> list[Problem]:
    """Return the structured problems of a message payload (text, blocks)."""
    out = Problems()
    text = payload.get("text")
    if text is not None and not isinstance(text, str):
        out.add("text", f"must be a string, got {type(text).__name__}")
    elif isinstance(text, str) and len(text) > MESSAGE_TEXT_MAX:
        out.add("text", f"{len(text)} chars > {MESSAGE_TEXT_MAX}")
    blocks = payload.get("blocks")
    if blocks is not None:
        _blocks(blocks, _Scope("message", out), max_items=MESSAGE_BLOCKS_MAX)
    if blocks and not (isinstance(text, str) and text.strip()):
        out.add("text", MISSING_FALLBACK)
    return out.items


def view_problems(view: Mapping[str, Any]) -> list[Problem]:
    """Return the structured problems of a modal or Home tab view."""
    out = Problems()
    kind = view.get("type")
    if kind not in ("modal", "home"):
        out.add("type", f"must be modal or home, got {kind!r}")
        return out.items
    common = {"type", "blocks", "private_metadata", "callback_id", "external_id"}
    modal_only = {
        "title",
        "submit",
        "close",
        "clear_on_close",
        "notify_on_close",
        "submit_disabled",
    }
    known_keys(view, frozenset(common | (modal_only if kind == "modal" else set())), "", out)
    string(view, "private_metadata", "", out, max_len=3000)
    ident(view, "callback_id", "", out)
    ident(view, "external_id", "", out)
    if "blocks" not in view:
        out.add("blocks", "required")
    _blocks(
        view.get("blocks", []),
        _Scope("home" if kind == "home" else "modal", out),
        max_items=VIEW_BLOCKS_MAX,
    )
    if kind == "modal":
        _modal_chrome(view, out)
    size = len(json.dumps(view, separators=(",", ":"), ensure_ascii=False).encode())
    if size >= VIEW_BYTES_MAX:
        out.add("view", f"{size} bytes >= {VIEW_BYTES_MAX}")
    return out.items


def _modal_chrome(view: Json, out: Problems) -> None:
    if "title" in view:
        text_object(view["title"], "title", out, max_len=24, plain_only=True)
    else:
        out.add("title", "required")
    for key in ("submit", "close"):
        if key in view:
            text_object(view[key], key, out, max_len=24, plain_only=True)
    for key in ("clear_on_close", "notify_on_close", "submit_disabled"):
        boolean(view, key, "", out)
    blocks = view.get("blocks")
    has_input = isinstance(blocks, list) and any(
        isinstance(block, Mapping) and block.get("type") == "input" for block in blocks
    )
    if has_input and "submit" not in view:
        out.add("submit", "required when the modal has input blocks")


def validate_message(payload: Mapping[str, Any]) -> list[str]:
    """Return every Block Kit violation of a message payload, as `path: problem` strings."""
    return [str(problem) for problem in message_problems(payload)]


def validate_view(view: Mapping[str, Any]) -> list[str]:
    """Return every Block Kit violation of a modal or Home tab view, as `path: problem` strings."""
    return [str(problem) for problem in view_problems(view)]
