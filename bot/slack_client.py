"""The one Slack Web API client: base URL from settings, paced, counted, retrying 429s."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.config import Settings
from bot.pacing import Pacer


@dataclass
class SlackCallStats:
    """Counts of Web API calls by method and outcome, and the last error seen."""

    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    ratelimited: int = 0
    last_error: str | None = None


def _method_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


class PacedRateLimitHandler(AsyncRetryHandler):
    """On 429, hold every sender of that method for Retry-After, then retry."""

    def __init__(self, pacer: Pacer, stats: SlackCallStats, max_retry_count: int = 5) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacer = pacer
        self.stats = stats

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        assert response is not None
        retry_after = _retry_after(response)
        method = _method_of(request.url)
        self.stats.ratelimited += 1
        self.stats.calls[(method, "ratelimited")] += 1
        self.pacer.penalize(method, retry_after)
        state.next_attempt_requested = True
        await asyncio.sleep(retry_after + random.random() * 0.2)
        state.increment_current_attempt()


def _retry_after(response: HttpResponse) -> float:
    for name, values in response.headers.items():
        if name.lower() == "retry-after" and values:
            try:
                return max(0.0, float(values[0]))
            except ValueError:
                break
    return 1.0


class PacedWebClient(AsyncWebClient):
    """An AsyncWebClient that waits for the shared pacer before every call."""

    def __init__(self, *, pacer: Pacer, stats: SlackCallStats, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pacer = pacer
        self.stats = stats

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        """Wait for the pacer, call Slack, count the outcome."""
        body = kwargs.get("json") or kwargs.get("data") or kwargs.get("params") or {}
        channel = body.get("channel") if isinstance(body, dict) else None
        await self.pacer.acquire(api_method, channel)
        try:
            response = await super().api_call(api_method, **kwargs)
        except Exception as exc:
            outcome = getattr(getattr(exc, "response", None), "data", None)
            error = outcome.get("error") if isinstance(outcome, dict) else type(exc).__name__
            self.stats.calls[(api_method, str(error))] += 1
            self.stats.last_error = f"{api_method}: {error}"
            raise
        self.stats.calls[(api_method, "ok")] += 1
        return response


def build_slack_client(settings: Settings, *, pacer: Pacer | None = None) -> PacedWebClient:
    """Build the process's one Slack client (the sandbox and tests point it at loopback)."""
    settings.require("slack_bot_token")
    pacer = pacer or Pacer(posts_per_minute=settings.slack_posts_per_minute)
    stats = SlackCallStats()
    # Connection errors are not retried here: a post whose outcome is unknown must be
    # reconciled by the dispatcher, never blindly re-sent.
    return PacedWebClient(
        pacer=pacer,
        stats=stats,
        token=settings.secret("slack_bot_token"),
        base_url=settings.slack_api_url,
        timeout=int(settings.slack_timeout_seconds),
        retry_handlers=[PacedRateLimitHandler(pacer, stats)],
    )
