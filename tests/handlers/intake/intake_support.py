"""Helpers of the intake tests: a signing client, the server on a loopback port, rows to count."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select

from bot.config import Settings
from bot.deps import Deps
from bot.i18n import load_catalog
from domain.privacy import Pseudonymizer
from handlers.intake import register
from handlers.intake.signature import decode_secret, sign
from storage.engine import Database, open_database
from storage.tables import Interaction, Pulse, Service
from storage.types import utcnow


def make_deps(settings: Settings, database: Database, now: Callable[[], datetime] = utcnow) -> Deps:
    """Return real dependencies; Slack points at a closed loopback port (intake never calls it)."""
    return Deps(
        settings=settings,
        database=database,
        slack=AsyncWebClient(token="xoxb-test", base_url="http://127.0.0.1:9/"),
        catalog=load_catalog(),
        pseudonymize=Pseudonymizer(b"test"),
        now=now,
    )


async def add_service(
    database: Database, code: str = "RH", *, delay_minutes: int = 120, archived: bool = False
) -> int:
    """Insert a charter service and return its id."""
    async with database.begin() as session:
        service = Service(
            code=code,
            name=f"Service {code}",
            delay_minutes=delay_minutes,
            archived_at=utcnow() if archived else None,
        )
        session.add(service)
        await session.flush()
        assert service.id is not None
        return service.id


async def count_rows(database: Database) -> tuple[int, int]:
    """Return how many interactions and pulses are stored."""
    async with database.engine.connect() as connection:
        interactions = await connection.scalar(select(func.count()).select_from(Interaction))
        pulses = await connection.scalar(select(func.count()).select_from(Pulse))
    return interactions or 0, pulses or 0


def interaction(external_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    """Return a valid interaction body, changed by `overrides`."""
    body: dict[str, Any] = {
        "external_id": external_id or f"T-{uuid.uuid4().hex[:10]}",
        "source": "glpi",
        "service": "RH",
        "beneficiary": {"slack_user_id": "U0123ABCD"},
        "occurred_at": "2025-03-01T09:30:00+01:00",
    }
    body.update(overrides)
    return body


@dataclass
class Signer:
    """Sign bodies the way a Standard Webhooks sender does."""

    secret: str
    clock: Callable[[], float] = time.time
    counter: list[int] = field(default_factory=lambda: [0])

    def headers(self, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        """Return the three webhook headers and the JSON content type."""
        self.counter[0] += 1
        msg_id = f"msg_{self.counter[0]}"
        stamp = int(self.clock()) if timestamp is None else timestamp
        return {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": sign(
                decode_secret(self.secret), msg_id=msg_id, timestamp=stamp, body=body
            ),
        }


@dataclass
class IntakeClient:
    """A client of the running intake server."""

    http: TestClient[web.Request, web.Application]
    signer: Signer

    async def post(
        self, payload: Any, *, headers: dict[str, str] | None = None
    ) -> tuple[ClientResponse, Any]:
        """POST `payload` (JSON-encoded unless bytes) signed, and return the response and JSON."""
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        merged = {**self.signer.headers(raw), **(headers or {})}
        response = await self.http.post("/api/v1/interactions", data=raw, headers=merged)
        assert response.content_type == "application/json", await response.text()
        return response, await response.json()


async def start_intake(
    settings: Settings, database: Database, **register_options: Any
) -> TestClient[web.Request, web.Application]:
    """Start the intake app on a loopback port and return a client for it."""
    app = web.Application()
    register(app, make_deps(settings, database), **register_options)
    client: TestClient[web.Request, web.Application] = TestClient(TestServer(app))
    await client.start_server()
    return client


class ThreadedIntake:
    """The intake server on its own event loop in a thread, for synchronous (hypothesis) tests."""

    def __init__(self, settings: Settings, services: tuple[str, ...] = ("RH",)) -> None:
        self.settings = settings
        self.services = services
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.port = 0

    def __enter__(self) -> ThreadedIntake:
        self.thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)
        return self

    def __exit__(self, *exc_info: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    async def _start(self) -> int:
        self.database = open_database(self.settings.database_url)
        for code in self.services:
            await add_service(self.database, code)
        app = web.Application()
        register(app, make_deps(self.settings, self.database), service_ttl=0)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        return int(self.runner.addresses[0][1])

    async def _stop(self) -> None:
        await self.runner.cleanup()
        await self.database.dispose()
