"""Socket Mode: the same Bolt app answers clicks over a WebSocket; intake and dispatch still run."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import func
from sqlmodel import select

from bot.config import SettingsError
from bot.runtime import running
from bot.sandbox import Sandbox
from storage.engine import open_database
from storage.tables import Answer
from tests.conftest import TEST_SECRETS
from tests.scenarios.conftest import Stack, interaction
from tests.scenarios.socket_relay import SocketRelay

APP_TOKEN = "xapp-1-A0ECOUTE-1-test"
ROOT = Path(__file__).resolve().parents[2]


async def test_socket_mode_answers_clicks_without_a_request_url(
    stack: Stack, sandbox: Sandbox
) -> None:
    relay = SocketRelay(sandbox.api_url, APP_TOKEN)
    await relay.start()
    settings = stack.settings.model_copy(
        update={"slack_api_url": f"{relay.url}/api/", "slack_app_token": SecretStr(APP_TOKEN)}
    )
    try:
        async with running(
            settings, host="127.0.0.1", port=0, migrate=False, socket_mode_on=True
        ) as instance:
            stack.instance = instance
            assert instance.socket_mode is not None
            assert instance.socket_mode.app is instance.bolt  # the very app HTTP mode serves
            await stack.until(lambda: relay.connected)
            async with (
                aiohttp.ClientSession() as http,
                http.post(f"{instance.url}/slack/events", data=b"{}") as response,
            ):
                assert response.status == 404  # no public request URL in this mode
            status, _ = await stack.post_interactions([interaction("socket-1", "U0AGENT01")])
            assert status == 202
            assert await stack.until_dispatched() == {"sent": 1}
            sandbox.events_url = f"{relay.url}/events"
            agent = sandbox.agent("U0AGENT01")
            message = agent.latest_message()
            button = next(
                element
                for block in message.blocks
                if block["type"] == "actions"
                for element in block["elements"]
                if element["action_id"].startswith("pulse.answer.")
            )
            delivery = await agent.click(
                message, action_id=button["action_id"], value=button["value"]
            )
            assert delivery.status == 200
            await stack.until(lambda: _answers(stack.database_url))
    finally:
        stack.instance = None
        await relay.stop()
    assert [envelope["type"] for envelope in relay.envelopes] == ["interactive"]
    assert relay.connections == 1


async def _answers(database_url: str) -> int:
    database = open_database(database_url)
    try:
        async with database.begin() as session:
            return int((await session.exec(select(func.count()).select_from(Answer))).one())
    finally:
        await database.dispose()


async def test_socket_mode_without_an_app_token_does_not_start(stack: Stack) -> None:
    with pytest.raises(SettingsError, match=r"^missing setting SLACK_APP_TOKEN$"):
        async with running(
            stack.settings, host="127.0.0.1", port=0, migrate=False, socket_mode_on=True
        ):
            pass


@pytest.mark.parametrize(
    ("token", "line"),
    [
        (None, "ecoute: missing setting SLACK_APP_TOKEN"),
        ("xoxb-not-an-app-token", "ecoute: invalid setting SLACK_APP_TOKEN: an app-level token "
         "starts with xapp-"),
    ],
)  # fmt: skip
async def test_serve_socket_mode_names_the_missing_token_in_one_line(
    tmp_path: Path, token: str | None, line: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ECOUTE_", "SLACK_"))}
    env.update(TEST_SECRETS, ECOUTE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/e.db")
    if token is not None:
        env["SLACK_APP_TOKEN"] = token
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; from bot.cli import main; sys.exit(main())",
        "serve",
        "--socket-mode",
        "--port",
        "0",
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 2
    assert err.decode().splitlines() == [line]
    assert out == b""
