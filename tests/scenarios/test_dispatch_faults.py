"""Dispatch under Slack's faults and limits: nothing lost, nothing sent twice."""

from __future__ import annotations

import json
import time

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.sandbox import Sandbox
from tests.conftest import TEST_SECRETS
from tests.scenarios.conftest import Stack, interaction


async def test_a_restart_mid_dispatch_with_in_doubt_sends_loses_and_doubles_nothing(
    stack: Stack, sandbox: Sandbox
) -> None:
    sandbox.faults.timeout_after_accept = 0.3
    sandbox.faults.server_error = 0.1
    sandbox.faults.timeout_seconds = 3.0
    users = [f"U0AGENT{i:02d}" for i in range(1, 31)]
    async with stack.bot(slack_timeout_seconds=1.0):
        status, _ = await stack.post_interactions(
            [interaction(f"crash-{i}", user) for i, user in enumerate(users)]
        )
        assert status == 202
        await stack.until(
            lambda: len([c for c in sandbox.calls if c.method == "chat.postMessage"]) >= 10
        )
    # Stopped mid-dispatch: some pulses sent, some pending, some in doubt (Slack has them).
    sandbox.faults.timeout_after_accept = 0.0
    sandbox.faults.server_error = 0.0
    async with stack.bot():
        statuses = await stack.until_dispatched(within=30)
    assert statuses == {"sent": 30}
    assert [len(sandbox.messages(user)) for user in users] == [1] * 30


async def test_slack_429s_are_waited_out_and_nothing_is_dropped(
    stack: Stack, sandbox: Sandbox
) -> None:
    sandbox.faults.ratelimited = 0.3
    async with stack.bot():
        await stack.post_interactions(
            [interaction(f"rl-{i}", f"U0AGENT{i:02d}") for i in range(1, 11)]
        )
        statuses = await stack.until_dispatched(within=40)
    assert statuses == {"sent": 10}
    assert any(c.http_status == 429 for c in sandbox.calls)
    assert all(len(sandbox.messages(f"U0AGENT{i:02d}")) == 1 for i in range(1, 11))


async def test_persistent_slack_errors_fail_the_pulse_with_its_reason(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with stack.bot(max_send_attempts=2):
        await stack.until(lambda: any(c.method == "users.list" and c.ok for c in sandbox.calls))
        sandbox.faults.server_error = 1.0
        await stack.post_interactions([interaction("down-1", "U0AGENT01")])

        async def failed() -> bool:
            return (await stack.statuses()) == {"failed": 1}

        await stack.until(failed, within=30)
    database_rows = await stack.statuses()
    assert database_rows == {"failed": 1}
    assert sandbox.messages("U0AGENT01") == []


def _signed(
    body: bytes, *, timestamp: str | None = None, secret: str | None = None
) -> dict[str, str]:
    stamp = timestamp or str(int(time.time()))
    verifier = SignatureVerifier(secret or TEST_SECRETS["SLACK_SIGNING_SECRET"])
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
        "Content-Type": "application/json",
    }


async def test_forged_stale_and_malformed_slack_requests_are_refused(stack: Stack) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc"}).encode()
    async with stack.bot(), aiohttp.ClientSession() as http:
        url = f"{stack.url}/slack/events"
        cases = {
            "good": (_signed(body), 200),
            "forged": (_signed(body, secret="not-the-secret"), 401),
            "stale": (_signed(body, timestamp=str(int(time.time()) - 600)), 401),
            "future": (_signed(body, timestamp=str(int(time.time()) + 600)), 401),
            "non-numeric": ({**_signed(body), "X-Slack-Request-Timestamp": "soon"}, 401),
            "unsigned": ({"Content-Type": "application/json"}, 401),
        }
        for name, (headers, expected) in cases.items():
            async with http.post(url, data=body, headers=headers) as response:
                assert response.status == expected, name
        async with http.post(url, data=b"{not json", headers=_signed(b"{not json")) as response:
            assert response.status == 400, "malformed JSON is the sender's fault"
        big = b"x" * (1024 * 1024 + 1)
        async with http.post(url, data=big, headers=_signed(big)) as response:
            assert response.status == 413
