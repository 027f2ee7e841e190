"""Slack's rate limits: tiers, the per-channel post rate and the workspace ceiling."""

from __future__ import annotations

import time

import pytest
from sandbox_helpers import ALICE, BOB, TOKEN, FakeClock
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.sandbox import Faults, Limits, Sandbox, SandboxUser
from bot.sandbox.limits import METHOD_TIERS, RateLimiter


def test_sliding_window_admits_a_burst_then_frees_slots_as_they_age() -> None:
    limits = Limits(tier_per_minute={3: 3})
    limiter = RateLimiter()
    assert [limiter.admit(limits, "chat.update", None, t) for t in (0.0, 1.0, 2.0)] == [None] * 3
    assert limiter.admit(limits, "chat.update", None, 30.0) == 30
    assert limiter.admit(limits, "chat.update", None, 59.5) == 1
    assert limiter.admit(limits, "chat.update", None, 60.0) is None
    assert limiter.admit(limits, "chat.update", None, 60.5) == 1


def test_methods_count_separately_and_auth_test_is_not_limited() -> None:
    limits = Limits(tier_per_minute={1: 1, 2: 1, 3: 1, 4: 1})
    limiter = RateLimiter()
    assert limiter.admit(limits, "users.info", None, 0.0) is None
    assert limiter.admit(limits, "views.open", None, 0.0) is None
    assert limiter.admit(limits, "users.info", None, 0.0) is not None
    assert all(limiter.admit(limits, "auth.test", None, 0.0) is None for _ in range(1000))


def test_method_tiers_follow_slack() -> None:
    assert METHOD_TIERS["chat.update"] == 3
    assert METHOD_TIERS["conversations.open"] == 3
    assert METHOD_TIERS["users.lookupByEmail"] == 3
    assert METHOD_TIERS["users.list"] == 2
    assert METHOD_TIERS["views.open"] == 4
    assert METHOD_TIERS["views.publish"] == 4
    assert METHOD_TIERS["users.info"] == 4
    assert METHOD_TIERS["chat.postMessage"] == "post"


def test_channel_bucket_allows_a_short_burst_then_one_per_second() -> None:
    limits = Limits(post_per_channel_per_second=1.0, post_per_channel_burst=3)
    limiter = RateLimiter()
    burst = [limiter.admit(limits, "chat.postMessage", "D1", 0.0) for _ in range(4)]
    assert burst == [None, None, None, 1]
    assert limiter.admit(limits, "chat.postMessage", "D2", 0.0) is None
    assert limiter.admit(limits, "chat.postMessage", "D1", 1.0) is None
    assert limiter.admit(limits, "chat.postMessage", "D1", 1.0) == 1


def test_workspace_ceiling_binds_across_dms() -> None:
    limits = Limits(post_workspace_per_minute=5)
    limiter = RateLimiter()
    admitted = [limiter.admit(limits, "chat.postMessage", f"D{n}", 0.0) for n in range(6)]
    assert admitted == [None] * 5 + [60]
    # Ephemeral messages have their own ceiling.
    assert limiter.admit(limits, "chat.postEphemeral", "D9", 0.0) is None


@pytest.fixture
def limits() -> Limits:
    return Limits(tier_per_minute={1: 1, 2: 2, 3: 2, 4: 3}, post_workspace_per_minute=4)


async def test_tier_overrun_answers_429_with_retry_after(
    sandbox: Sandbox, client: AsyncWebClient, clock: FakeClock
) -> None:
    await client.users_lookupByEmail(email=ALICE.email)
    clock.advance(10)
    await client.users_lookupByEmail(email=ALICE.email)
    with pytest.raises(SlackApiError) as limited:
        await client.users_lookupByEmail(email=ALICE.email)
    response = limited.value.response
    assert response.status_code == 429
    assert response["error"] == "ratelimited"
    assert response.headers["Retry-After"] == "50"
    last = sandbox.calls[-1]
    assert (last.http_status, last.error, last.retry_after) == (429, "ratelimited", 50)
    clock.advance(50)
    await client.users_lookupByEmail(email=ALICE.email)


async def test_workspace_post_ceiling(
    sandbox: Sandbox, client: AsyncWebClient, clock: FakeClock
) -> None:
    for n in range(4):
        sandbox.add_user(SandboxUser(id=f"U0P{n}", name=f"P{n}", email=f"p{n}@a.fr"))
        await client.chat_postMessage(channel=f"U0P{n}", text="hi")
    assert sandbox.ceiling_per_minute == 4
    with pytest.raises(SlackApiError) as limited:
        await client.chat_postMessage(channel=ALICE.id, text="hi")
    assert limited.value.response.status_code == 429
    assert int(limited.value.response.headers["Retry-After"]) == 60
    assert sandbox.messages(ALICE.id) == []
    clock.advance(60)
    await client.chat_postMessage(channel=ALICE.id, text="hi")


async def test_per_channel_rate_counts_user_id_and_dm_id_together(
    sandbox: Sandbox, client: AsyncWebClient, clock: FakeClock
) -> None:
    sandbox.limits.post_workspace_per_minute = 100
    dm = sandbox.dm_channel(BOB.id)
    for channel in (BOB.id, dm, BOB.id):
        await client.chat_postMessage(channel=channel, text="hi")
    with pytest.raises(SlackApiError, match="ratelimited"):
        await client.chat_postMessage(channel=dm, text="hi")
    clock.advance(1)
    await client.chat_postMessage(channel=dm, text="hi")
    assert len(sandbox.messages(BOB.id)) == 4


async def test_the_sdk_retry_handler_honours_retry_after(sandbox: Sandbox) -> None:
    sandbox.faults = Faults(ratelimited=1.0)
    retrying = AsyncWebClient(
        token=TOKEN,
        base_url=sandbox.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    started = time.monotonic()
    with pytest.raises(SlackApiError):
        await retrying.users_info(user=ALICE.id)
    assert time.monotonic() - started >= 1.0  # slept Retry-After: 1 before its one retry
    sandbox.faults.ratelimited = 0.0
    assert (await retrying.users_info(user=ALICE.id))["ok"] is True
    assert [c.http_status for c in sandbox.calls] == [429, 429, 200]
