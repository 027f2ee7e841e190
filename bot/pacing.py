"""Pace Web API calls under Slack's published limits, before Slack has to say no."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# Slack's tiers, in calls per minute per method (SLACK.md). Posting is governed apart.
TIER_PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}
METHOD_TIER = {
    "users.list": 2,
    "conversations.history": 3,
    "conversations.open": 3,
    "users.lookupByEmail": 3,
    "chat.update": 3,
    "chat.delete": 3,
    "files.completeUploadExternal": 4,
    "files.getUploadURLExternal": 4,
    "views.open": 4,
    "views.update": 4,
    "views.push": 4,
    "views.publish": 4,
    "users.info": 4,
    "auth.test": 4,
}
POST_METHODS = frozenset({"chat.postMessage", "chat.postEphemeral"})
# Aim a little under each ceiling: a sliding minute may hold one call more than the rate.
SAFETY = 0.97


@dataclass
class Bucket:
    """A GCRA rate limiter: `rate` calls per second with a burst of `burst` calls."""

    rate: float
    burst: int = 1
    theoretical_arrival: float = 0.0

    def reserve(self, now: float) -> float:
        """Reserve the next slot and return how long to wait for it."""
        interval = 1.0 / self.rate
        tolerance = (self.burst - 1) * interval
        start = max(now, self.theoretical_arrival - tolerance)
        self.theoretical_arrival = max(self.theoretical_arrival, now) + interval
        return start - now

    def hold_until(self, instant: float) -> None:
        """Push every next slot past `instant` (Slack said Retry-After), bursts included."""
        tolerance = (self.burst - 1) / self.rate
        self.theoretical_arrival = max(self.theoretical_arrival, instant + tolerance)


@dataclass
class Pacer:
    """One per workspace, shared by every sender: pulses, digests, alerts, App Home."""

    posts_per_minute: int = 300
    posts_per_channel_per_second: float = 1.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], object] = asyncio.sleep
    _methods: dict[str, Bucket] = field(default_factory=dict)
    _channels: dict[str, Bucket] = field(default_factory=dict)
    _posts: Bucket | None = None
    waited_seconds: float = 0.0

    def _bucket_for(self, method: str) -> Bucket:
        if method in POST_METHODS:
            if self._posts is None:
                # A small burst covers the gap between two dispatch passes; it stays within
                # the safety margin, so no sliding minute holds more than the ceiling.
                burst = max(1, min(5, int(self.posts_per_minute * (1 - SAFETY))))
                self._posts = Bucket(rate=self.posts_per_minute * SAFETY / 60.0, burst=burst)
            return self._posts
        bucket = self._methods.get(method)
        if bucket is None:
            per_minute = TIER_PER_MINUTE[METHOD_TIER.get(method, 3)]
            bucket = Bucket(rate=per_minute * SAFETY / 60.0, burst=max(1, per_minute // 10))
            self._methods[method] = bucket
        return bucket

    def _channel_bucket(self, channel: str) -> Bucket:
        bucket = self._channels.get(channel)
        if bucket is None:
            if len(self._channels) > 10_000:  # DMs are one channel each: forget the idle ones
                self._forget_idle()
            bucket = Bucket(rate=self.posts_per_channel_per_second * SAFETY, burst=1)
            self._channels[channel] = bucket
        return bucket

    def _forget_idle(self) -> None:
        now = self.clock()
        self._channels = {
            name: bucket
            for name, bucket in self._channels.items()
            if bucket.theoretical_arrival > now
        }

    async def acquire(self, method: str, channel: str | None = None) -> None:
        """Wait until `method` (to `channel`, for posts) may be called."""
        now = self.clock()
        wait = self._bucket_for(method).reserve(now)
        if channel and method in POST_METHODS:
            wait = max(wait, self._channel_bucket(channel).reserve(now))
        if wait > 0:
            self.waited_seconds += wait
            await self.sleep(wait)  # type: ignore[misc]

    def penalize(self, method: str, retry_after: float) -> None:
        """Hold every caller of `method` for Slack's Retry-After."""
        self._bucket_for(method).hold_until(self.clock() + retry_after)
