"""The aiohttp application: Slack's request URL, the intake API, health probes, metrics."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from bot.deps import Deps
from bot.logs import new_request_id, request_id
from bot.metrics import CONTENT_TYPE, Metrics, render_metrics
from handlers import intake
from storage.migrate import is_current

logger = logging.getLogger("ecoute.server")

DEPS = web.AppKey("deps", Deps)
BOLT = web.AppKey("bolt", AsyncApp)
VERIFIER = web.AppKey("verifier", SignatureVerifier)
METRICS = web.AppKey("metrics", Metrics)
SLACK_ROUTE = "/slack/events"


def build_web_app(deps: Deps, bolt: AsyncApp | None) -> web.Application:
    """Return the web application; `bolt` None serves the intake API alone (Socket Mode)."""
    app = web.Application(
        client_max_size=deps.settings.max_body_bytes, middlewares=[observe_requests]
    )
    app[DEPS] = deps
    app[METRICS] = Metrics()
    if bolt is not None:
        app[BOLT] = bolt
        app[VERIFIER] = SignatureVerifier(deps.settings.secret("slack_signing_secret"))
        app.router.add_post(SLACK_ROUTE, slack_events)
    intake.register(app, deps)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def observe_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Tag the request with an id (logs and the answer carry it) and time its answer."""
    token = request_id.set(new_request_id(request.headers.get("X-Request-Id")))
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        response.headers["X-Request-Id"] = request_id.get() or ""
        return response
    except web.HTTPException as exc:
        status = exc.status
        exc.headers["X-Request-Id"] = request_id.get() or ""
        raise
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        request.app[METRICS].observe_response(
            route, status, time.perf_counter() - started, slack=route == SLACK_ROUTE
        )
        request_id.reset(token)


async def slack_events(request: web.Request) -> web.Response:
    """Check a Slack request's signature and shape, then hand it to Bolt.

    Bolt answers 500 to a non-numeric timestamp and crashes on a signed but malformed body;
    both are the sender's fault, so they get 401 and 400 here before Bolt sees them.
    """
    if (request.content_length or 0) > request.app[DEPS].settings.max_body_bytes:
        # Answer before reading, and close: a sender still pushing its body cannot be left
        # blocked on a connection nobody reads.
        refused = web.json_response({"error": "body_too_large"}, status=413)
        refused.force_close()
        return refused
    body = await request.read()
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    verifier: SignatureVerifier = request.app[VERIFIER]
    if not timestamp.isdigit() or not verifier.is_valid(body, timestamp, signature):
        return web.json_response({"error": "invalid_signature"}, status=401)
    if not _well_formed(body, request.content_type):
        return web.json_response({"error": "malformed_body"}, status=400)
    bolt_request = await to_bolt_request(request)
    bolt_response = await request.app[BOLT].async_dispatch(bolt_request)
    return await to_aiohttp_response(bolt_response)


def _well_formed(body: bytes, content_type: str) -> bool:
    try:
        if content_type == "application/json":
            return isinstance(json.loads(body), dict)
        fields = parse_qs(body.decode(), strict_parsing=bool(body))
        if "payload" in fields:
            return isinstance(json.loads(fields["payload"][0]), dict)
        return "command" in fields or "ssl_check" in fields
    except ValueError:
        return False


async def healthz(request: web.Request) -> web.Response:
    """Say the process is alive."""
    return web.json_response({"status": "ok"})


async def metrics(request: web.Request) -> web.Response:
    """Expose the figures in the Prometheus text format."""
    text = await render_metrics(request.app[DEPS], request.app[METRICS])
    return web.Response(body=text.encode(), headers={"Content-Type": CONTENT_TYPE})


async def readyz(request: web.Request) -> web.Response:
    """Say whether the database answers and its schema is current."""
    try:
        current = await is_current(request.app[DEPS].database)
    except Exception as exc:  # any failure to reach the database means not ready
        logger.warning("readiness check failed: %s", exc)
        return web.json_response({"status": "database_unreachable"}, status=503)
    if not current:
        return web.json_response({"status": "migrations_pending"}, status=503)
    return web.json_response({"status": "ready"})
