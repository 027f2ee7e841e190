"""What operators see: probes, Prometheus metrics, request ids, and JSON logs without secrets."""

from __future__ import annotations

import io
import json
import logging
import re

import aiohttp
from multidict import CIMultiDict
from sqlalchemy import text

from bot.logs import configure_logging
from bot.sandbox import Sandbox
from storage.engine import open_database
from tests.conftest import TEST_SECRETS
from tests.scenarios.conftest import Stack, interaction

SAMPLE = re.compile(r'^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+Inf]+$')


async def _get(url: str, **headers: str) -> tuple[int, CIMultiDict[str], str]:
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
        return response.status, response.headers.copy(), await response.text()


def _samples(exposition: str) -> dict[str, float]:
    return {
        line.rpartition(" ")[0]: float(line.rpartition(" ")[2])
        for line in exposition.splitlines()
        if line and not line.startswith("#")
    }


async def test_probes_and_metrics_tell_how_the_bot_is_doing(stack: Stack, sandbox: Sandbox) -> None:
    async with stack.bot() as bot:
        assert (await _get(f"{bot.url}/healthz"))[0] == 200
        status, _, body = await _get(f"{bot.url}/readyz")
        assert (status, json.loads(body)) == (200, {"status": "ready"})
        users = ["U0AGENT01", "U0AGENT02", "U0AGENT03"]
        await stack.post_interactions([interaction(f"ops-{u}", u) for u in users])
        await stack.until_dispatched()
        agent = sandbox.agent("U0AGENT01")
        message = agent.latest_message()
        button = next(
            element
            for block in message.blocks
            if block["type"] == "actions"
            for element in block["elements"]
            if element["action_id"].startswith("pulse.answer.")
        )
        await agent.click(message, action_id=button["action_id"], value=button["value"])

        async def answered() -> bool:
            return (await stack.statuses()).get("answered") == 1

        await stack.until(answered)  # the answer is stored after the ack
        status, headers, exposition = await _get(f"{bot.url}/metrics")
    assert status == 200
    assert headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    lines = exposition.splitlines()
    families = {line.split()[2] for line in lines if line.startswith("# TYPE")}
    for line in lines:
        if not line.startswith("#"):
            assert SAMPLE.match(line), line
            assert any(line.startswith(family) for family in families), line
    figures = _samples(exposition)
    assert figures["ecoute_database_up"] == 1
    assert figures["ecoute_interactions_accepted"] == 3
    assert figures['ecoute_pulses{status="sent"}'] == 2
    assert figures['ecoute_pulses{status="answered"}'] == 1
    assert figures['ecoute_pulses{status="failed"}'] == 0
    assert figures["ecoute_backlog_pulses"] == 0
    assert figures["ecoute_backlog_age_seconds"] == 0
    assert figures['ecoute_slack_calls_total{method="chat.postMessage",outcome="ok"}'] == 3
    assert figures["ecoute_slack_ratelimited_total"] == 0
    assert figures["ecoute_answer_latency_seconds_count"] == 1  # the click, acked
    assert figures['ecoute_answer_latency_seconds_bucket{le="+Inf"}'] == 1
    assert figures['ecoute_answer_latency_seconds_bucket{le="3"}'] == 1  # within Slack's 3 s
    assert figures['ecoute_http_responses_total{route="/api/v1/interactions",status="202"}'] == 1


async def test_the_backlog_and_its_age_show_while_slack_is_down(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with stack.bot() as bot:
        await stack.until(lambda: any(c.method == "users.list" and c.ok for c in sandbox.calls))
        sandbox.faults.server_error = 1.0
        await stack.post_interactions([interaction("late-1", "U0AGENT01")])

        async def aged() -> bool:
            figures = _samples((await _get(f"{bot.url}/metrics"))[2])
            return (
                figures["ecoute_backlog_pulses"] == 1 and figures["ecoute_backlog_age_seconds"] > 1
            )

        await stack.until(aged, within=10)
        figures = _samples((await _get(f"{bot.url}/metrics"))[2])
        sandbox.faults.server_error = 0.0
        assert await stack.until_dispatched() == {"sent": 1}
    posts = {k: v for k, v in figures.items() if 'method="chat.postMessage"' in k}
    assert posts.get('ecoute_slack_calls_total{method="chat.postMessage",outcome="internal_error"}')


async def test_readiness_says_when_migrations_are_pending(stack: Stack) -> None:
    database = open_database(stack.database_url)
    async with database.engine.begin() as connection:
        head = (await connection.execute(text("SELECT version_num FROM alembic_version"))).one()[0]
    try:
        async with stack.bot() as bot:
            async with database.engine.begin() as connection:
                await connection.execute(text("UPDATE alembic_version SET version_num = 'old'"))
            status, _, body = await _get(f"{bot.url}/readyz")
    finally:
        # The PostgreSQL database outlives this test: put its version back.
        async with database.engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )
        await database.dispose()
    assert (status, json.loads(body)) == (503, {"status": "migrations_pending"})


async def test_every_answer_carries_a_request_id(stack: Stack) -> None:
    async with stack.bot() as bot:
        _, fresh, _ = await _get(f"{bot.url}/healthz")
        _, kept, _ = await _get(f"{bot.url}/healthz", **{"X-Request-Id": "lb-1234"})
        _, replaced, _ = await _get(f"{bot.url}/healthz", **{"X-Request-Id": "bad id\u00e9"})
    assert re.fullmatch(r"[0-9a-f]{32}", fresh["X-Request-Id"])
    assert kept["X-Request-Id"] == "lb-1234"
    assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-Id"])


async def test_logs_are_json_with_the_request_id_and_no_secret(stack: Stack) -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    configure_logging(level="INFO", fmt="json", secrets=TEST_SECRETS.values(), stream=stream)
    try:
        async with stack.bot() as bot:
            # A forged intake request is logged by nobody; the signing secret must never be.
            await stack.post_interactions(
                [interaction("log-1", "U0AGENT01")],
                secret="whsec_bm90LXRoZS1yaWdodC1zZWNyZXQtYXQtYWxsLTEyMzQ=",
            )
            logging.getLogger("ecoute.test").info(
                "token %s for agent1@finances.gouv.fr, secret %s",
                TEST_SECRETS["SLACK_BOT_TOKEN"],
                TEST_SECRETS["ECOUTE_PSEUDONYM_KEY"],
                extra={"signature": "v0=" + "ab" * 32},
            )
            _, headers, _ = await _get(f"{bot.url}/readyz", **{"X-Request-Id": "probe-7"})
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert records, "nothing was logged"
    assert all({"ts", "level", "logger", "message"} <= record.keys() for record in records)
    mine = next(r for r in records if r["logger"] == "ecoute.test")
    assert mine["message"] == "token [redacted] for [email], secret [redacted]"
    assert mine["signature"] == "v0=[redacted]"
    text_out = stream.getvalue()
    for secret in TEST_SECRETS.values():
        assert secret not in text_out
    assert headers["X-Request-Id"] == "probe-7"
