"""A stand-in for Slack's Socket Mode edge: what the sandbox would POST travels over a WebSocket.

The sandbox has no Socket Mode server. This relay gives the bot one: `apps.connections.open`
answers a ws:// URL, every other Web API call is passed to the sandbox, and the sandbox's
deliveries (clicks, submissions, events) are wrapped in Socket Mode envelopes whose ack comes
back as the HTTP answer the simulated person waits for.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web


class SocketRelay:
    """Slack's WebSocket side for one app, relaying the Web API to the sandbox."""

    def __init__(self, sandbox_api_url: str, app_token: str) -> None:
        self.sandbox_api_url = sandbox_api_url
        self.app_token = app_token
        self.connections = 0
        self.envelopes: list[dict[str, Any]] = []
        self._socket: web.WebSocketResponse | None = None
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_post("/api/apps.connections.open", self.open_connection)
        app.router.add_route("*", "/api/{method}", self.web_api)
        app.router.add_get("/link", self.link)
        app.router.add_post("/events", self.deliver)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        self._http = aiohttp.ClientSession()

    async def stop(self) -> None:
        """Close the WebSocket and stop listening."""
        if self._socket is not None:
            await self._socket.close()
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def connected(self) -> bool:
        """Tell whether the bot holds an open WebSocket."""
        return self._socket is not None and not self._socket.closed

    async def open_connection(self, request: web.Request) -> web.Response:
        """apps.connections.open: only the app-level token may open a connection."""
        if request.headers.get("Authorization") != f"Bearer {self.app_token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response({"ok": True, "url": f"{self.url.replace('http', 'ws')}/link"})

    async def web_api(self, request: web.Request) -> web.Response:
        """Pass any other Web API call to the sandbox unchanged."""
        assert self._http is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host",)}
        async with self._http.request(
            request.method,
            f"{self.sandbox_api_url}{request.match_info['method']}",
            data=await request.read(),
            headers=headers,
        ) as answer:
            body = await answer.read()
            kept = {k: v for k, v in answer.headers.items() if k.lower() in ("retry-after",)}
            return web.Response(
                status=answer.status, body=body, headers=kept, content_type="application/json"
            )

    async def link(self, request: web.Request) -> web.WebSocketResponse:
        """The WebSocket: say hello, then read the bot's acks until it hangs up."""
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._socket = socket
        self.connections += 1
        await socket.send_json({"type": "hello", "num_connections": 1, "debug_info": {}})
        async for message in socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            ack = json.loads(message.data)
            future = self._acks.pop(str(ack.get("envelope_id")), None)
            if future is not None and not future.done():
                future.set_result(ack)
        return socket

    async def deliver(self, request: web.Request) -> web.Response:
        """Wrap what Slack would have POSTed into an envelope; answer with the bot's ack."""
        if not self.connected:
            return web.Response(status=503, text="no socket mode connection")
        assert self._socket is not None
        kind, payload = _envelope_payload(await request.read(), request.content_type)
        envelope_id = uuid.uuid4().hex
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        self.envelopes.append(envelope)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = future
        await self._socket.send_json(envelope)
        ack = await asyncio.wait_for(future, timeout=3.0)
        response = ack.get("payload")
        if response is None:
            return web.Response(status=200)
        return web.json_response(response)


def _envelope_payload(body: bytes, content_type: str) -> tuple[str, dict[str, Any]]:
    if content_type == "application/json":
        return "events_api", json.loads(body)
    fields = {key: values[0] for key, values in parse_qs(body.decode()).items()}
    if "payload" in fields:
        return "interactive", json.loads(fields["payload"])
    return "slash_commands", fields
