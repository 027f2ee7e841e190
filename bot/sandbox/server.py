"""Serve the sandbox over HTTP: the Web API, upload URLs and response_urls."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web

from bot.sandbox.api_chat import CHAT_METHODS
from bot.sandbox.api_params import ApiContext, Handler, Params, read_arguments
from bot.sandbox.api_users import USER_METHODS
from bot.sandbox.api_views import VIEW_AND_FILE_METHODS
from bot.sandbox.errors import ApiError
from bot.sandbox.models import RecordedCall

if TYPE_CHECKING:
    from bot.sandbox.sandbox import Sandbox

METHODS: Mapping[str, Handler] = MappingProxyType(
    {**USER_METHODS, **CHAT_METHODS, **VIEW_AND_FILE_METHODS}
)
# Bolt reads the granted scopes from this header of the auth.test answer.
SCOPES = "chat:write,commands,users:read,users:read.email,im:write"
_POSTS = frozenset({"chat.postMessage", "chat.postEphemeral"})
_MAX_BODY = 32 * 1024 * 1024


class SandboxServer:
    """The aiohttp application answering as slack.com would."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox
        self.context = ApiContext(sandbox.workspace, sandbox.views, lambda: sandbox.base_url)

    def build(self) -> web.Application:
        """Return the application with its routes."""
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_route("*", "/api/{method}", self.web_api)
        app.router.add_route("POST", "/upload/{file_id}", self.upload)
        app.router.add_route("PUT", "/upload/{file_id}", self.upload)
        app.router.add_route("POST", "/response/{token}", self.response_url)
        return app

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        status: int,
        body: Mapping[str, Any],
        at: float,
        retry_after: int | None = None,
    ) -> None:
        ok = body.get("ok") is True
        error = body.get("error")
        self.sb.workspace.calls.append(
            RecordedCall(
                method,
                params,
                status,
                ok,
                error if isinstance(error, str) else None,
                at,
                retry_after,
            )
        )

    def _answer(
        self,
        method: str,
        params: Params,
        body: dict[str, Any],
        at: float,
        *,
        status: int = 200,
        retry_after: int | None = None,
    ) -> web.Response:
        self._record(method, params.recorded(), status, body, at, retry_after)
        headers = {"X-OAuth-Scopes": SCOPES}
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        return web.json_response(body, status=status, headers=headers)

    async def web_api(self, request: web.Request) -> web.Response:
        """Answer one Web API call: method, auth, faults, rate limit, then the work."""
        method = request.match_info["method"]
        now = self.sb.clock()
        try:
            params = Params(await read_arguments(request))
        except ApiError as error:
            return self._answer(method, Params({}), error.body(), now)
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip() or params.values.get("token")
        handler = METHODS.get(method)
        if handler is None:
            return self._answer(method, params, ApiError("unknown_method").body(), now)
        if not token:
            return self._answer(method, params, ApiError("not_authed").body(), now)
        if token != self.sb.bot_token:
            return self._answer(method, params, ApiError("invalid_auth").body(), now)
        # Faults come first: a failed call neither does the work nor spends rate budget.
        fault = None if method == "auth.test" else self.sb.faults.draw()
        if fault == "server_error":
            status = self.sb.faults.server_status()
            failure = ApiError("internal_error" if status == 500 else "service_unavailable")
            return self._answer(method, params, failure.body(), now, status=status)
        if fault == "ratelimited":
            limited = ApiError("ratelimited").body()
            return self._answer(method, params, limited, now, status=429, retry_after=1)
        channel = params.values.get("channel") if method in _POSTS else None
        key = self.sb.workspace.channel_key(channel if isinstance(channel, str) else None)
        wait = self.sb.limiter.admit(self.sb.limits, method, key, now)
        if wait is not None:
            limited = ApiError("ratelimited").body()
            return self._answer(method, params, limited, now, status=429, retry_after=wait)
        try:
            body = handler(self.context, params)
        except ApiError as error:
            body = error.body()
        response = self._answer(method, params, body, now)
        if fault == "timeout_after_accept":
            # The work is done; holding the answer makes the caller time out not knowing it.
            await self.sb.hold(self.sb.faults.timeout_seconds)
        return response

    async def upload(self, request: web.Request) -> web.Response:
        """Receive the bytes of a file announced by files.getUploadURLExternal."""
        now = self.sb.clock()
        file_id = request.match_info["file_id"]
        upload = self.sb.workspace.files.get(file_id)
        data = await self._file_bytes(request)
        params = {"file_id": file_id, "bytes": len(data)}
        if upload is None or upload.completed:
            self._record("upload_url", params, 404, {"ok": False, "error": "file_not_found"}, now)
            return web.Response(status=404, text="file_not_found", content_type="text/plain")
        if len(data) != upload.length:
            mismatch = {"ok": False, "error": "length_mismatch"}
            self._record("upload_url", params, 400, mismatch, now)
            text = f"length_mismatch: announced {upload.length}, received {len(data)}"
            return web.Response(status=400, text=text, content_type="text/plain")
        upload.content = data
        self._record("upload_url", params, 200, {"ok": True}, now)
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    @staticmethod
    async def _file_bytes(request: web.Request) -> bytes:
        if request.content_type != "multipart/form-data":
            return await request.read()
        reader = await request.multipart()
        async for part in reader:
            if isinstance(part, aiohttp.BodyPartReader) and part.filename is not None:
                return bytes(await part.read())
        return b""

    async def response_url(self, request: web.Request) -> web.Response:
        """Apply a post to a response_url."""
        now = self.sb.clock()
        try:
            body: Any = await request.json()
        except ValueError:
            body = None
        status, answer = self.sb.response_urls.deliver(request.match_info["token"], body)
        recorded = dict(body) if isinstance(body, dict) else {}
        self._record("response_url", recorded, status, answer, now)
        return web.json_response(answer, status=status)
