"""Hold the emulated workspace: members, conversations, messages, ephemerals and files."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.sandbox.blockkit import MISSING_FALLBACK, message_problems, view_problems
from bot.sandbox.errors import ApiError, SandboxError
from bot.sandbox.models import (
    Message,
    RecordedCall,
    SandboxUser,
    UploadedFile,
    Violation,
)

MESSAGE_TEXT_MAX = 40_000


@dataclass(frozen=True)
class Channel:
    """A conversation: a DM with one member (`user_id`) or a channel."""

    id: str
    name: str
    user_id: str | None = None


class Workspace:
    """The state of one Slack workspace as the bot can observe it."""

    def __init__(
        self,
        *,
        users: Iterable[SandboxUser],
        team_id: str,
        bot_user_id: str,
        app_id: str,
        clock: Callable[[], float],
    ) -> None:
        self.team_id = team_id
        self.team_domain = "ecoute-sandbox"
        self.bot_user_id = bot_user_id
        self.app_id = app_id
        self.bot_id = "B" + app_id[1:]
        self.clock = clock
        self.users: dict[str, SandboxUser] = {}
        self.channels: dict[str, Channel] = {}
        self.ephemerals: dict[str, list[dict[str, Any]]] = {}
        self.files: dict[str, UploadedFile] = {}
        self.calls: list[RecordedCall] = []
        self.violations: list[Violation] = []
        self._messages: dict[str, list[Message]] = {}
        self._counter = 0
        self._last_micros = 0
        self.add_user(SandboxUser(id=bot_user_id, name="Écoute", email="", is_bot=True))
        for user in users:
            self.add_user(user)

    # ids

    def new_id(self, prefix: str) -> str:
        """Return a fresh Slack-looking id such as `V000000007`."""
        self._counter += 1
        return f"{prefix}{self._counter:09d}"

    def next_ts(self) -> str:
        """Return a message ts: wall-clock seconds, microseconds, strictly increasing."""
        micros = max(int(time.time() * 1_000_000), self._last_micros + 1)
        self._last_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    # members and conversations

    def add_user(self, user: SandboxUser) -> None:
        """Add or replace a member (replacing lets a test deactivate someone)."""
        self.users[user.id] = user
        if not user.is_bot:
            dm = self.dm_channel(user.id)
            self.channels[dm] = Channel(id=dm, name="directmessage", user_id=user.id)

    def add_channel(self, channel_id: str, name: str) -> None:
        """Add a public channel the bot is a member of."""
        self.channels[channel_id] = Channel(id=channel_id, name=name)

    def user(self, user_id: str) -> SandboxUser:
        """Return a member or raise Slack's `user_not_found`."""
        found = self.users.get(user_id)
        if found is None:
            raise ApiError("user_not_found")
        return found

    def dm_channel(self, user_id: str) -> str:
        """Return the stable D-channel id of the bot's DM with a user."""
        digest = hashlib.sha1(f"{self.team_id}:{user_id}".encode()).hexdigest()
        return "D" + digest[:10].upper()

    def member_of(self, channel_id: str) -> str | None:
        """Return the user of a DM channel, None for a channel."""
        return self.channels[channel_id].user_id if channel_id in self.channels else None

    def resolve(self, channel: str) -> str:
        """Map a channel parameter (channel id, or a user id for a DM) to a channel id."""
        if channel[:1] in ("U", "W"):
            user = self.users.get(channel)
            if user is None:
                raise ApiError("channel_not_found")
            if user.is_bot:
                raise ApiError("cannot_dm_bot")
            # Slack accepts a post to a deactivated user's DM (python-slack-sdk#1156): the bot
            # has to check `deleted` itself, so the sandbox does not hide that mistake.
            return self.dm_channel(user.id)
        if channel not in self.channels:
            raise ApiError("channel_not_found")
        return channel

    def channel_key(self, channel: str | None) -> str | None:
        """Return the channel a post counts against for rate limiting, if it resolves."""
        if channel is None:
            return None
        try:
            return self.resolve(channel)
        except ApiError:
            return None

    # messages

    def messages(self, channel_or_user: str) -> list[Message]:
        """Return a conversation's messages, oldest first."""
        channel = channel_or_user
        if channel_or_user in self.users:
            channel = self.dm_channel(channel_or_user)
        return list(self._messages.get(channel, []))

    def post(
        self,
        channel_id: str,
        *,
        text: str,
        blocks: list[dict[str, Any]],
        metadata: dict[str, Any] | None = None,
        thread_ts: str | None = None,
        files: list[str] | None = None,
    ) -> Message:
        """Store a new bot message in a conversation."""
        message = Message(
            channel=channel_id,
            ts=self.next_ts(),
            user=self.bot_user_id,
            text=text,
            blocks=blocks,
            metadata=metadata,
            thread_ts=thread_ts,
            bot_id=self.bot_id,
            app_id=self.app_id,
            team=self.team_id,
            files=files or [],
        )
        self._messages.setdefault(channel_id, []).append(message)
        return message

    def find(self, channel_id: str, ts: str) -> Message:
        """Return a message or raise Slack's `message_not_found`."""
        for message in self._messages.get(channel_id, []):
            if message.ts == ts:
                return message
        raise ApiError("message_not_found")

    def delete(self, channel_id: str, ts: str) -> None:
        """Remove a message or raise Slack's `message_not_found`."""
        message = self.find(channel_id, ts)
        self._messages[channel_id].remove(message)

    def add_ephemeral(self, user_id: str, shown: dict[str, Any]) -> None:
        """Record an ephemeral message only `user_id` saw."""
        self.ephemerals.setdefault(user_id, []).append(shown)

    # validation

    def check_message(self, method: str, payload: Mapping[str, Any]) -> None:
        """Record every violation of a message payload; raise Slack's error when it rejects it."""
        problems = message_problems(payload)
        self.violations.extend(Violation(method, p.path, p.message) for p in problems)
        text = payload.get("text")
        if isinstance(text, str) and len(text) > MESSAGE_TEXT_MAX:
            raise ApiError("msg_too_long")
        # A missing fallback is a violation for the project but Slack itself accepts it.
        fatal = [p for p in problems if p.message != MISSING_FALLBACK]
        if fatal:
            raise ApiError(
                "invalid_blocks",
                response_metadata={"messages": [f"[ERROR] {p}" for p in fatal]},
            )

    def check_view(self, method: str, view: Mapping[str, Any]) -> None:
        """Record every violation of a view; raise Slack's `invalid_arguments` if any."""
        problems = view_problems(view)
        self.violations.extend(Violation(method, p.path, p.message) for p in problems)
        if problems:
            raise ApiError(
                "invalid_arguments",
                response_metadata={"messages": [f"[ERROR] {p}" for p in problems]},
            )

    def violate(self, method: str, path: str, message: str) -> None:
        """Record a platform rule broken outside Block Kit (slow ack, bad response_action)."""
        self.violations.append(Violation(method, path, message))

    def require_user(self, user_id: str) -> SandboxUser:
        """Return a member for a simulated action, raising if the test named nobody."""
        user = self.users.get(user_id)
        if user is None or user.is_bot:
            raise SandboxError(f"no human member {user_id!r} in the sandbox workspace")
        return user
