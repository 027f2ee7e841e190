"""Run a local Slack workspace on loopback that the bot talks to as if it were slack.com."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

import aiohttp
from aiohttp import web

from bot.sandbox.agents import SimulatedAgent
from bot.sandbox.errors import SandboxError
from bot.sandbox.faults import Faults
from bot.sandbox.limits import Limits, RateLimiter
from bot.sandbox.modals import ViewStore
from bot.sandbox.models import Message, RecordedCall, SandboxUser, UploadedFile, View, Violation
from bot.sandbox.response_urls import ResponseUrls
from bot.sandbox.server import SandboxServer
from bot.sandbox.workspace import Workspace


class Sandbox:
    """A Slack workspace emulator: real HTTP, Slack's limits, strict Block Kit checks."""

    def __init__(
        self,
        *,
        users: Sequence[SandboxUser],
        bot_token: str,
        signing_secret: str,
        limits: Limits | None = None,
        faults: Faults | None = None,
        team_id: str = "T0ECOUTE",
        bot_user_id: str = "U0ECOUTEBOT",
        app_id: str = "A0ECOUTE",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.limits = limits if limits is not None else Limits()
        self.faults = faults if faults is not None else Faults()
        self.clock = clock
        self.events_url: str | None = None
        self.workspace = Workspace(
            users=users, team_id=team_id, bot_user_id=bot_user_id, app_id=app_id, clock=clock
        )
        self.views = ViewStore(self.workspace)
        self.response_urls = ResponseUrls(self.workspace)
        self.limiter = RateLimiter()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"
        self._stopping: asyncio.Event | None = None

    # lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on `host:port` (port 0 picks a free one)."""
        if self._runner is not None:
            raise SandboxError("the sandbox is already running")
        # Created here, not in __init__, so the event belongs to the loop that runs the server.
        self._stopping = asyncio.Event()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        self._host, self._port = host, int(sock.getsockname()[1])
        runner = web.AppRunner(SandboxServer(self).build(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        self._runner = runner
        self._http = aiohttp.ClientSession()

    async def stop(self) -> None:
        """Release held responses, close the agents' HTTP session and stop listening."""
        if self._stopping is not None:
            self._stopping.set()
        if self._http is not None:
            await self._http.close()
            self._http = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        """Start on a free loopback port."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop."""
        await self.stop()

    async def hold(self, seconds: float) -> None:
        """Sleep like a stalled server, waking early when the sandbox stops."""
        if self._stopping is None or self._stopping.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    @property
    def http(self) -> aiohttp.ClientSession:
        """Return the session simulated agents post with."""
        if self._http is None:
            raise SandboxError("start the sandbox before simulating users")
        return self._http

    # addresses

    @property
    def base_url(self) -> str:
        """Return `http://host:port/`."""
        if self._port is None:
            raise SandboxError("the sandbox has not been started")
        return f"http://{self._host}:{self._port}/"

    @property
    def api_url(self) -> str:
        """Return the Web API base URL to give AsyncWebClient(base_url=...)."""
        return f"{self.base_url}api/"

    # observations

    @property
    def calls(self) -> list[RecordedCall]:
        """Every Web API call (plus upload and response_url posts), in order."""
        return self.workspace.calls

    @property
    def violations(self) -> list[Violation]:
        """Every Block Kit or platform rule broken so far."""
        return self.workspace.violations

    @property
    def ceiling_per_minute(self) -> int:
        """Return the workspace-wide chat.postMessage ceiling."""
        return self.limits.post_workspace_per_minute

    def messages(self, channel_or_user: str) -> list[Message]:
        """Return a conversation's messages oldest first (a user id means their DM)."""
        return self.workspace.messages(channel_or_user)

    def dm_channel(self, user_id: str) -> str:
        """Return the stable D-channel id of the bot's DM with a user."""
        return self.workspace.dm_channel(user_id)

    def views_for(self, user_id: str) -> list[View]:
        """Return the user's open modal stack, bottom first."""
        return list(self.views.stacks.get(user_id, []))

    def home(self, user_id: str) -> dict[str, Any] | None:
        """Return the user's published Home tab view, as Slack renders it."""
        view = self.views.homes.get(user_id)
        return view.to_slack() if view is not None else None

    def ephemerals(self, user_id: str) -> list[dict[str, Any]]:
        """Return the ephemeral messages the user saw, oldest first."""
        return list(self.workspace.ephemerals.get(user_id, []))

    def uploaded_files(self) -> list[UploadedFile]:
        """Return every completed file upload."""
        return [upload for upload in self.workspace.files.values() if upload.completed]

    # setup and simulated people

    def add_user(self, user: SandboxUser) -> None:
        """Add or replace a member (replace with `deleted=True` to deactivate one)."""
        self.workspace.add_user(user)

    def add_channel(self, channel_id: str, name: str) -> None:
        """Add a channel the bot is in (ids start with C)."""
        self.workspace.add_channel(channel_id, name)

    def agent(self, user_id: str) -> SimulatedAgent:
        """Return a simulated person who clicks, submits and types commands."""
        return SimulatedAgent(self, user_id)

    async def wait_for(
        self, predicate: Callable[[], bool], within: float = 5.0, interval: float = 0.005
    ) -> None:
        """Wait until `predicate()` holds (the bot works after its ack); raise on timeout."""
        deadline = time.monotonic() + within
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"sandbox condition not met within {within} s")
            await asyncio.sleep(interval)
