"""Dispatch under Slack's faults and limits: nothing lost, nothing sent twice."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
from slack_sdk.signature import SignatureVerifier
from sqlmodel import select

from bot.sandbox import Sandbox
from storage.engine import open_database
from storage.tables import Pulse
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


async def test_slack_errors_that_persist_while_others_pass_fail_the_pulse_with_its_reason(
    stack: Stack, sandbox: Sandbox
) -> None:
    users = [f"U0AGENT{i:02d}" for i in range(1, 31)]
    async with stack.bot(max_send_attempts=2):
        await stack.until(lambda: any(c.method == "users.list" and c.ok for c in sandbox.calls))
        # Half the calls fail: Slack is up (other sends pass), so the failures are the pulses'.
        sandbox.faults.server_error = 0.5
        await stack.post_interactions([interaction(f"flaky-{u}", u) for u in users])
        statuses = await stack.until_dispatched(within=60)
    assert set(statuses) == {"sent", "failed"}, statuses
    failed = [r for r in await _rows(stack.database_url) if r[1] == "failed"]
    assert all(reason and "after 2 attempts" in reason for _, _, reason in failed), failed
    assert all(len(sandbox.messages(user)) == 0 for user, _, _ in failed)
    assert sum(len(sandbox.messages(user)) for user in users) == statuses["sent"]


async def _rows(database_url: str) -> list[tuple[str, str, str | None]]:
    database = open_database(database_url)
    try:
        async with database.begin() as session:
            rows = (await session.exec(select(Pulse.recipient, Pulse.status, Pulse.reason))).all()
    finally:
        await database.dispose()
    return [(str(recipient), str(status), reason) for recipient, status, reason in rows]


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


async def test_a_slack_outage_longer_than_the_retry_budget_drops_nothing(
    stack: Stack, sandbox: Sandbox
) -> None:
    users = [f"U0AGENT{i:02d}" for i in range(1, 11)]
    async with stack.bot(max_send_attempts=2) as bot:
        await stack.until(lambda: any(c.method == "users.list" and c.ok for c in sandbox.calls))
        sandbox.faults.server_error = 1.0
        status, _ = await stack.post_interactions([interaction(f"out-{u}", u) for u in users])
        assert status == 202
        # Two attempts 5 s apart would have failed every pulse by now.
        await asyncio.sleep(6.0)
        during = await _metrics(bot.url)
        assert during["ecoute_backlog_pulses"] + during['ecoute_pulses{status="sending"}'] == 10
        assert during['ecoute_pulses{status="failed"}'] == 0
        assert sum(v for k, v in during.items() if 'outcome="internal_error"' in k) > 0
        sandbox.faults.server_error = 0.0
        statuses = await stack.until_dispatched(within=90)
        after = await _metrics(bot.url)
    assert statuses == {"sent": 10}
    assert [len(sandbox.messages(user)) for user in users] == [1] * 10
    assert after["ecoute_backlog_pulses"] == 0


async def _metrics(url: str) -> dict[str, float]:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/metrics") as response:
        text = await response.text()
    return {
        line.rpartition(" ")[0]: float(line.rpartition(" ")[2])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }
