"""Serve chat.* and conversations.* Web API methods."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from bot.sandbox.api_params import ApiContext, Handler, Params
from bot.sandbox.errors import ApiError
from bot.sandbox.workspace import Workspace

HISTORY_LIMIT_MAX = 999


def _content(
    ws: Workspace, method: str, p: Params
) -> tuple[str | None, list[dict[str, Any]] | None]:
    """Return the text and blocks of a message call, validated; raise Slack's errors."""
    blocks = p.structure("blocks", "invalid_blocks_format")
    if blocks is not None and not isinstance(blocks, list):
        raise ApiError("invalid_blocks_format")
    text = p.optional("text")
    if not text and not blocks:
        raise ApiError("no_text")
    payload: dict[str, Any] = {}
    if text is not None:
        payload["text"] = text
    if blocks is not None:
        payload["blocks"] = blocks
    ws.check_message(method, payload)
    return text, blocks


def _metadata(p: Params) -> dict[str, Any] | None:
    metadata = p.structure("metadata", "invalid_metadata_format")
    if metadata is None:
        return None
    if (
        not isinstance(metadata, dict)
        or not isinstance(metadata.get("event_type"), str)
        or not isinstance(metadata.get("event_payload"), dict)
    ):
        raise ApiError("invalid_metadata_format")
    return {"event_type": metadata["event_type"], "event_payload": metadata["event_payload"]}


def _conversation(ws: Workspace, p: Params) -> str:
    """Return an existing conversation id; methods other than posts do not take user ids."""
    channel = p.required("channel", "channel_not_found")
    if channel not in ws.channels:
        raise ApiError("channel_not_found")
    return channel


def post_message(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """chat.postMessage: post into a channel, or into a user's DM when given a user id."""
    ws = ctx.workspace
    channel = ws.resolve(p.required("channel", "channel_not_found"))
    text, blocks = _content(ws, "chat.postMessage", p)
    message = ws.post(
        channel,
        text=text or "",
        blocks=blocks or [],
        metadata=_metadata(p),
        thread_ts=p.optional("thread_ts"),
    )
    return {
        "ok": True,
        "channel": channel,
        "ts": message.ts,
        "message": message.to_slack(include_metadata=True),
    }


def update(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """chat.update: replace a bot message's text and/or blocks, keeping its ts."""
    ws = ctx.workspace
    channel = _conversation(ws, p)
    message = ws.find(channel, p.required("ts", "message_not_found"))
    if message.user != ws.bot_user_id:
        raise ApiError("cant_update_message")
    text, blocks = _content(ws, "chat.update", p)
    metadata = _metadata(p)
    if text is not None:
        message.text = text
    if blocks is not None:
        message.blocks = blocks
    if metadata is not None:
        message.metadata = metadata
    message.edited = True
    return {
        "ok": True,
        "channel": channel,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_slack(include_metadata=True),
    }


def delete(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """chat.delete: remove a bot message."""
    channel = _conversation(ctx.workspace, p)
    ts = p.required("ts", "message_not_found")
    ctx.workspace.delete(channel, ts)
    return {"ok": True, "channel": channel, "ts": ts}


def post_ephemeral(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """chat.postEphemeral: show a message to one member of a conversation."""
    ws = ctx.workspace
    channel = ws.resolve(p.required("channel", "channel_not_found"))
    user = ws.user(p.required("user", "user_not_found"))
    member = ws.member_of(channel)
    if member is not None and member != user.id:
        raise ApiError("user_not_in_channel")
    text, blocks = _content(ws, "chat.postEphemeral", p)
    message_ts = ws.next_ts()
    ws.add_ephemeral(
        user.id,
        {
            "channel": channel,
            "text": text or "",
            "blocks": blocks or [],
            "message_ts": message_ts,
            "source": "chat.postEphemeral",
        },
    )
    return {"ok": True, "message_ts": message_ts}


def open_conversation(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """conversations.open: return the DM channel with one user."""
    ws = ctx.workspace
    raw = p.values.get("users")
    users = raw if isinstance(raw, list) else str(raw or "").split(",")
    users = [str(user).strip() for user in users if str(user).strip()]
    if not users:
        channel = p.optional("channel")
        if channel is None:
            raise ApiError("users_list_not_supplied")
        return {"ok": True, "channel": {"id": _conversation(ws, p)}}
    if len(users) > 1:
        raise ApiError("not_supported")
    user = ws.user(users[0])
    if user.is_bot:
        raise ApiError("cannot_dm_bot")
    return {"ok": True, "channel": {"id": ws.dm_channel(user.id)}}


def _cursor(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts}".encode()).decode()


def _uncursor(cursor: str) -> float:
    try:
        return float(base64.b64decode(cursor).decode().removeprefix("next_ts:"))
    except ValueError as error:
        raise ApiError("invalid_cursor") from error


def _ts(value: str | None, default: float, error: str) -> float:
    if value is None:
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ApiError(error) from exc


def history(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """conversations.history: newest first, paged, metadata only when asked."""
    ws = ctx.workspace
    channel = _conversation(ws, p)
    limit = min(max(p.number("limit", 100), 1), HISTORY_LIMIT_MAX)
    oldest = _ts(p.optional("oldest"), 0.0, "invalid_ts_oldest")
    latest = _ts(p.optional("latest"), float("inf"), "invalid_ts_latest")
    inclusive = p.flag("inclusive")
    cursor = p.optional("cursor")
    if cursor is not None:
        latest, inclusive = _uncursor(cursor), False
    include_metadata = p.flag("include_all_metadata")

    def within(ts: float) -> bool:
        if inclusive:
            return oldest <= ts <= latest
        return oldest < ts < latest

    # History lists thread parents only; replies live in conversations.replies.
    found = [
        m
        for m in reversed(ws.messages(channel))
        if within(float(m.ts)) and m.thread_ts in (None, m.ts)
    ]
    page, more = found[:limit], len(found) > limit
    return {
        "ok": True,
        "messages": [m.to_slack(include_metadata=include_metadata) for m in page],
        "has_more": more,
        "pin_count": 0,
        "response_metadata": {"next_cursor": _cursor(page[-1].ts) if more else ""},
    }


CHAT_METHODS: Mapping[str, Handler] = MappingProxyType(
    {
        "chat.postMessage": post_message,
        "chat.update": update,
        "chat.delete": delete,
        "chat.postEphemeral": post_ephemeral,
        "conversations.open": open_conversation,
        "conversations.history": history,
    }
)
