"""Small shared pieces of Block Kit: text objects, the message shape, safe truncation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Block = dict[str, Any]


@dataclass(frozen=True)
class Message:
    """A message: the plain-text fallback (notifications, screen readers) and its blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        """Return the arguments for chat.postMessage / respond()."""
        return {"text": self.text, "blocks": self.blocks}


def clip(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int = 3000) -> dict[str, Any]:
    """Return a plain_text object (emoji allowed)."""
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def mrkdwn(text: str, limit: int = 3000) -> dict[str, Any]:
    """Return a mrkdwn text object."""
    return {"type": "mrkdwn", "text": clip(text, limit)}


def escape(text: str) -> str:
    """Escape user-provided text for mrkdwn (Slack's three control characters)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def section(text: str, *, block_id: str | None = None) -> Block:
    """Return a mrkdwn section block."""
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    return block


def context(*texts: str) -> Block:
    """Return a context block of mrkdwn elements (at most 10)."""
    return {"type": "context", "elements": [mrkdwn(t, 2000) for t in texts[:10]]}


def button(text: str, *, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    """Return a button element (text at most 75 characters)."""
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, 75),
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element
