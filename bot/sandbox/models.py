"""Records the sandbox keeps: users, messages, views, files, calls and violations."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SandboxUser:
    """A member of the emulated workspace."""

    id: str
    name: str
    email: str
    locale: str = "fr-FR"
    tz: str = "Europe/Paris"
    is_bot: bool = False
    deleted: bool = False

    @property
    def username(self) -> str:
        """Return the Slack handle, derived from the email like most directories do."""
        return self.email.split("@", 1)[0] or self.id.lower()


@dataclass
class Message:
    """A message as the workspace stores it; updates mutate it in place, keeping its ts."""

    channel: str
    ts: str
    user: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] | None = None
    thread_ts: str | None = None
    edited: bool = False
    bot_id: str = ""
    app_id: str = ""
    team: str = ""
    files: list[str] = field(default_factory=list)

    def to_slack(self, *, include_metadata: bool) -> dict[str, Any]:
        """Render the message the way conversations.history and payloads show it."""
        shaped: dict[str, Any] = {
            "type": "message",
            "user": self.user,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": self.text,
            "ts": self.ts,
            "team": self.team,
        }
        if self.blocks:
            shaped["blocks"] = self.blocks
        if self.thread_ts is not None:
            shaped["thread_ts"] = self.thread_ts
        if self.edited:
            shaped["edited"] = {"user": self.user, "ts": self.ts}
        if self.files:
            shaped["files"] = [{"id": file_id} for file_id in self.files]
        if include_metadata and self.metadata is not None:
            shaped["metadata"] = self.metadata
        return shaped


@dataclass
class View:
    """A modal or Home tab view, as the app last sent it, with Slack's bookkeeping."""

    id: str
    user_id: str
    payload: dict[str, Any]
    hash: str
    root_view_id: str
    team_id: str
    app_id: str
    bot_id: str
    previous_view_id: str | None = None

    @property
    def type(self) -> str:
        """Return "modal" or "home"."""
        return str(self.payload.get("type", ""))

    @property
    def callback_id(self) -> str:
        """Return the callback_id, "" when unset as Slack does."""
        return str(self.payload.get("callback_id", ""))

    @property
    def private_metadata(self) -> str:
        """Return the private_metadata, "" when unset as Slack does."""
        return str(self.payload.get("private_metadata", ""))

    @property
    def external_id(self) -> str:
        """Return the external_id, "" when unset as Slack does."""
        return str(self.payload.get("external_id", ""))

    @property
    def blocks(self) -> list[dict[str, Any]]:
        """Return the view's blocks."""
        blocks = self.payload.get("blocks", [])
        return list(blocks) if isinstance(blocks, list) else []

    @property
    def title(self) -> str:
        """Return the title's text, "" for a Home tab."""
        title = self.payload.get("title")
        return str(title.get("text", "")) if isinstance(title, dict) else ""

    def to_slack(self, state_values: dict[str, Any] | None = None) -> dict[str, Any]:
        """Render the view as views.* responses and view payloads carry it."""
        return {
            "id": self.id,
            "team_id": self.team_id,
            "type": self.type,
            "blocks": self.blocks,
            "private_metadata": self.private_metadata,
            "callback_id": self.callback_id,
            "state": {"values": state_values or {}},
            "hash": self.hash,
            "title": self.payload.get("title"),
            "clear_on_close": bool(self.payload.get("clear_on_close", False)),
            "notify_on_close": bool(self.payload.get("notify_on_close", False)),
            "close": self.payload.get("close"),
            "submit": self.payload.get("submit"),
            "previous_view_id": self.previous_view_id,
            "root_view_id": self.root_view_id,
            "app_id": self.app_id,
            "external_id": self.external_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }


@dataclass
class UploadedFile:
    """A file uploaded through the getUploadURLExternal / completeUploadExternal pair."""

    id: str
    filename: str
    length: int
    title: str | None = None
    content: bytes | None = None
    channel_ids: list[str] = field(default_factory=list)
    initial_comment: str | None = None
    completed: bool = False


@dataclass(frozen=True)
class RecordedCall:
    """One Web API call (or response_url / upload post) and how the sandbox answered it."""

    method: str
    params: dict[str, Any]
    http_status: int
    ok: bool
    error: str | None
    at: float
    retry_after: int | None = None


@dataclass(frozen=True)
class Violation:
    """A Block Kit or platform rule the bot broke; tests assert there are none."""

    method: str
    path: str
    message: str

    def __str__(self) -> str:
        """Render the violation for assertion messages."""
        return f"{self.method}: {self.path}: {self.message}"


@dataclass(frozen=True)
class Delivery:
    """What the bot answered to a request a simulated user (or Slack) sent it."""

    status: int
    body: str
    elapsed: float

    @property
    def ack(self) -> dict[str, Any] | None:
        """Return the acknowledgement body parsed as a JSON object, if it is one."""
        try:
            parsed = json.loads(self.body)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None


ClickResult = Delivery
