"""Structured logs: JSON lines, request ids, and nothing secret in them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.logs import Redactor, configure_logging, new_request_id, request_id
from bot.metrics import Metrics
from bot.server import METRICS, observe_requests


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """Route every log record to a string, JSON-formatted, then restore the root logger."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    out = io.StringIO()
    configure_logging(level="INFO", fmt="json", secrets=["s3cr3t-signing-value"], stream=out)
    yield out
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


def _records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("token xoxb-1234-5678-abcdef", "token xox*-[redacted]"),
        ("user token xoxp-1-2-3", "user token xox*-[redacted]"),
        ("app xapp-1-A0ECOUTE-123-abc", "app xapp-[redacted]"),
        ("key whsec_dGVzdC1pbnRha2U=", "key whsec_[redacted]"),
        ("sig v0=" + "a1" * 32, "sig v0=[redacted]"),
        ("webhook v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=", "webhook v1,[redacted]"),
        ("Authorization: Bearer abcdefgh12345", "Authorization: Bearer [redacted]"),
        (
            "dsn postgresql://ecoute:hunter2@db/ecoute",
            "dsn postgresql://ecoute:[redacted]@db/ecoute",
        ),
        ("from Jean.Dupont@finances.gouv.fr", "from [email]"),
        ("the s3cr3t-signing-value leaked", "the [redacted] leaked"),
        ("pulse 12 sent to U0AGENT01 in D0123", "pulse 12 sent to U0AGENT01 in D0123"),
    ],
)
def test_the_redactor_hides_tokens_secrets_signatures_and_emails(text: str, shown: str) -> None:
    assert Redactor(["s3cr3t-signing-value", "short"])(text) == shown


def test_a_record_is_one_json_line_with_its_extras_redacted(stream: io.StringIO) -> None:
    log = logging.getLogger("ecoute.test")
    log.info("sent to %s", "agent@finances.gouv.fr", extra={"pulse_id": 7, "token": "xoxb-1-2"})
    try:
        raise ValueError("bad token xoxb-9-9-9")
    except ValueError:
        log.exception("failed for s3cr3t-signing-value")
    first, second = _records(stream)
    assert first["level"] == "info"
    assert first["logger"] == "ecoute.test"
    assert first["message"] == "sent to [email]"
    assert first["pulse_id"] == 7
    assert first["token"] == "xox*-[redacted]"
    assert "request_id" not in first
    assert second["message"] == "failed for [redacted]"
    assert "ValueError: bad token xox*-[redacted]" in str(second["exception"])


def test_the_text_format_is_redacted_too() -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    out = io.StringIO()
    configure_logging(level="INFO", fmt="text", stream=out)
    try:
        logging.getLogger("ecoute.test").warning("lookup of someone@example.org")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    assert out.getvalue().rstrip().endswith("WARNING ecoute.test lookup of [email]")


def test_incoming_request_ids_are_kept_only_when_sane() -> None:
    assert new_request_id("lb-1234.abc:5") == "lb-1234.abc:5"
    for bad in (None, "", "with space", "x" * 65, "new\nline"):
        assert len(new_request_id(bad)) == 32


async def test_lines_logged_while_serving_a_request_carry_its_id(stream: io.StringIO) -> None:
    async def handler(request: web.Request) -> web.Response:
        logging.getLogger("ecoute.test").info("handling")
        return web.Response(text="ok")

    app = web.Application(middlewares=[observe_requests])
    app[METRICS] = Metrics()
    app.router.add_get("/work", handler)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/work", headers={"X-Request-Id": "req-42"})
        assert response.headers["X-Request-Id"] == "req-42"
        await client.get("/work")
    first, second = [r for r in _records(stream) if r["logger"] == "ecoute.test"]
    assert first["request_id"] == "req-42"
    assert len(str(second["request_id"])) == 32
    assert request_id.get() is None  # reset after each request
    assert app[METRICS].responses[("/work", 200)] == 2
