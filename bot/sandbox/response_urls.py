"""Serve response_url posts: replace, delete or answer a message, 5 times in 30 minutes."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from bot.sandbox.errors import ApiError
from bot.sandbox.workspace import Workspace

RESPONSE_URL_USES = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60
METHOD = "response_url"


@dataclass
class _Target:
    user_id: str
    channel_id: str
    message_ts: str | None
    issued_at: float
    uses: int = 0


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


class ResponseUrls:
    """Issued response_urls and what posting to them does."""

    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace
        self._targets: dict[str, _Target] = {}

    def issue(self, user_id: str, channel_id: str, message_ts: str | None) -> str:
        """Return a new response_url token bound to a user, conversation and message."""
        token = secrets.token_urlsafe(12)
        self._targets[token] = _Target(user_id, channel_id, message_ts, self.ws.clock())
        return token

    def deliver(self, token: str, body: Any) -> tuple[int, dict[str, Any]]:
        """Apply one post and return the HTTP status and JSON body Slack would answer."""
        try:
            target = self._spend(token)
            self._apply(target, body)
        except ApiError as error:
            status = 404 if error.error in ("used_url", "expired_url", "no_service") else 400
            return status, error.body()
        # Only accepted posts count towards the 5 uses.
        target.uses += 1
        return 200, {"ok": True}

    def _spend(self, token: str) -> _Target:
        target = self._targets.get(token)
        if target is None:
            raise ApiError("no_service")
        if self.ws.clock() - target.issued_at > RESPONSE_URL_TTL_SECONDS:
            raise ApiError("expired_url")
        if target.uses >= RESPONSE_URL_USES:
            raise ApiError("used_url")
        return target

    def _apply(self, target: _Target, body: Any) -> None:
        if not isinstance(body, dict):
            raise ApiError("invalid_payload")
        if _flag(body.get("delete_original")):
            if target.message_ts is not None:
                self.ws.delete(target.channel_id, target.message_ts)
            return
        text, blocks = body.get("text"), body.get("blocks")
        if not text and not blocks:
            raise ApiError("no_text")
        self.ws.check_message(METHOD, body)
        text = text if isinstance(text, str) else ""
        blocks = blocks if isinstance(blocks, list) else []
        if _flag(body.get("replace_original")) and target.message_ts is not None:
            message = self.ws.find(target.channel_id, target.message_ts)
            message.text, message.blocks, message.edited = text, blocks, True
        elif body.get("response_type") == "in_channel":
            self.ws.post(target.channel_id, text=text, blocks=blocks)
        else:
            # Slack's default response_type is ephemeral: only the clicking user sees it.
            self.ws.add_ephemeral(
                target.user_id,
                {"channel": target.channel_id, "text": text, "blocks": blocks, "source": METHOD},
            )
