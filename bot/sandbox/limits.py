"""Apply Slack's Web API rate limits: tiers per method and the chat.postMessage limits."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

Special = Literal["post", "ephemeral", "unlimited"]

WINDOW_SECONDS = 60.0

# Slack's published tiers for the methods the sandbox serves. "post" methods are governed by the
# per-channel and workspace-wide message limits instead of a tier; auth.test is not limited in
# practice (Bolt calls it once).
METHOD_TIERS: Mapping[str, int | Special] = MappingProxyType(
    {
        "auth.test": "unlimited",
        "chat.postMessage": "post",
        "chat.postEphemeral": "ephemeral",
        "chat.update": 3,
        "chat.delete": 3,
        "conversations.open": 3,
        "conversations.history": 3,
        "users.info": 4,
        "users.list": 2,
        "users.lookupByEmail": 3,
        "views.open": 4,
        "views.update": 4,
        "views.push": 4,
        "views.publish": 4,
        "files.getUploadURLExternal": 4,
        "files.completeUploadExternal": 3,
    }
)


def _default_tiers() -> dict[int, int]:
    return {1: 1, 2: 20, 3: 50, 4: 100}


@dataclass
class Limits:
    """Slack's limits, configurable so tests can use small, fast values.

    Tier limits are a sliding 60 s window per method: the whole per-minute allowance may be spent
    in one burst, as Slack tolerates. chat.postMessage is a token bucket per channel (rate
    `post_per_channel_per_second`, bucket of `post_per_channel_burst`) plus a sliding 60 s
    workspace-wide ceiling; chat.postEphemeral has its own workspace ceiling of the same size.
    """

    tier_per_minute: dict[int, int] = field(default_factory=_default_tiers)
    post_per_channel_per_second: float = 1.0
    post_per_channel_burst: int = 3
    post_workspace_per_minute: int = 300


class _SlidingWindow:
    """Count events in the last 60 s."""

    def __init__(self) -> None:
        self.stamps: deque[float] = deque()

    def retry_after(self, now: float, allowed: int) -> int | None:
        """Return seconds to wait when full, else None (without counting)."""
        while self.stamps and self.stamps[0] <= now - WINDOW_SECONDS:
            self.stamps.popleft()
        if len(self.stamps) < allowed:
            return None
        if not self.stamps:
            return math.ceil(WINDOW_SECONDS)
        return max(1, math.ceil(self.stamps[0] + WINDOW_SECONDS - now))

    def count(self, now: float) -> None:
        """Record one admitted event."""
        self.stamps.append(now)


class _TokenBucket:
    """Allow `rate` events per second with bursts up to `capacity`."""

    def __init__(self, now: float, capacity: int) -> None:
        self.tokens = float(capacity)
        self.updated = now

    def retry_after(self, now: float, rate: float, capacity: int) -> int | None:
        """Return seconds to wait when empty, else None (without taking a token)."""
        self.tokens = min(float(capacity), self.tokens + (now - self.updated) * rate)
        self.updated = now
        if self.tokens >= 1.0:
            return None
        return max(1, math.ceil((1.0 - self.tokens) / rate))

    def take(self) -> None:
        """Spend one token."""
        self.tokens -= 1.0


class RateLimiter:
    """Decide whether a Web API call is admitted, Slack-style."""

    def __init__(self) -> None:
        self._methods: dict[str, _SlidingWindow] = {}
        self._channels: dict[str, _TokenBucket] = {}
        self._workspace: dict[Special, _SlidingWindow] = {}

    def admit(self, limits: Limits, method: str, channel: str | None, now: float) -> int | None:
        """Count the call and return None, or return Retry-After seconds without counting it."""
        tier = METHOD_TIERS.get(method, 3)
        if tier == "unlimited":
            return None
        if isinstance(tier, int):
            window = self._methods.setdefault(method, _SlidingWindow())
            allowed = limits.tier_per_minute.get(tier, 1)
            wait = window.retry_after(now, allowed)
            if wait is None:
                window.count(now)
            return wait
        workspace = self._workspace.setdefault(tier, _SlidingWindow())
        wait = workspace.retry_after(now, limits.post_workspace_per_minute)
        bucket: _TokenBucket | None = None
        if tier == "post" and channel is not None:
            capacity = max(1, limits.post_per_channel_burst)
            bucket = self._channels.setdefault(channel, _TokenBucket(now, capacity))
            channel_wait = bucket.retry_after(now, limits.post_per_channel_per_second, capacity)
            if channel_wait is not None:
                wait = max(wait or 0, channel_wait)
        if wait is None:
            workspace.count(now)
            if bucket is not None:
                bucket.take()
        return wait
