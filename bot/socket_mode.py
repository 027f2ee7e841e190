"""Socket Mode: Slack's events over an outbound WebSocket, for hosts without a public URL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.config import Settings, SettingsError

logger = logging.getLogger("ecoute.socket_mode")


def app_token(settings: Settings) -> str:
    """Return the app-level token, or raise SettingsError naming SLACK_APP_TOKEN."""
    settings.require("slack_app_token")
    token = settings.secret("slack_app_token")
    if not token.startswith("xapp-"):
        raise SettingsError("invalid setting SLACK_APP_TOKEN: an app-level token starts with xapp-")
    return token


def build_handler(bolt: AsyncApp, settings: Settings) -> AsyncSocketModeHandler:
    """Return the handler feeding Slack's envelopes to the same Bolt app HTTP mode uses."""
    # The web client is the Bolt app's, so apps.connections.open goes to SLACK_API_URL
    # (GovSlack included) through the one paced client; the app token is passed per call.
    return AsyncSocketModeHandler(bolt, app_token=app_token(settings), logger=logger)


@asynccontextmanager
async def socket_mode(bolt: AsyncApp, settings: Settings) -> AsyncIterator[AsyncSocketModeHandler]:
    """Connect in the background for the duration of the block, then close the WebSocket."""
    handler = build_handler(bolt, settings)
    # slack_bolt leaves these two untyped; their signatures are simple.
    connect: Callable[[], Coroutine[Any, Any, None]] = handler.connect_async
    close: Callable[[], Awaitable[None]] = handler.close_async
    # connect() retries until Slack accepts the token; meanwhile the intake API and the
    # dispatcher must keep running, so it is not awaited here.
    connecting = asyncio.create_task(connect(), name="socket-mode-connect")
    try:
        yield handler
    finally:
        connecting.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await connecting
        await close()
