"""The intake routes: verify, parse, one domain call through the group commit, answer JSON."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pydantic_core
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.errors import DomainError
from domain.intake import (
    IntakeConflict,
    IntakeInvalid,
    Receipt,
    ServiceDirectory,
    Submission,
    accept_many,
)
from handlers.intake.openapi import RETRY_AFTER_SECONDS
from handlers.intake.schema import BodyInvalid, parse_body
from handlers.intake.signature import SignatureError, Verifier
from storage.engine import DatabaseUnavailable
from storage.group_commit import BatchRunner, GroupCommit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Intake:
    """What the intake routes need, built once by `register`."""

    verifier: Verifier
    writer: GroupCommit
    accept: BatchRunner[Submission, list[Receipt]]
    now: Callable[[], datetime]
    max_body_bytes: int
    openapi: bytes


INTAKE = web.AppKey("intake", Intake)


def batch_runner(services: ServiceDirectory) -> BatchRunner[Submission, list[Receipt]]:
    """Return the group commit's runner: the requests queued together, accepted together."""

    async def accept(
        connection: AsyncConnection, submissions: list[Submission]
    ) -> list[list[Receipt] | DomainError]:
        return await accept_many(connection, submissions=submissions, services=services)

    return accept


class _TooLarge(Exception):
    pass


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> web.Response:
    body = pydantic_core.to_json(payload)
    return web.Response(status=status, body=body, content_type="application/json", headers=headers)


def _error(status: int, code: str, message: str, **extra: Any) -> web.Response:
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None
    return _json(status, {"error": code, "message": message, **extra}, headers)


async def _read_body(request: web.Request, limit: int) -> bytes:
    # read by hand rather than request.read(): its limit is the app's client_max_size, and
    # its 413 is plain text
    if request.content_length is not None and request.content_length > limit:
        raise _TooLarge
    body = bytearray()
    while chunk := await request.content.readany():
        body += chunk
        if len(body) > limit:
            raise _TooLarge
    return bytes(body)


async def handle_interactions(request: web.Request) -> web.Response:
    """Accept one interaction or a batch: 202 only once it is durably stored."""
    intake = request.app[INTAKE]
    try:
        raw = await _read_body(request, intake.max_body_bytes)
    except _TooLarge:
        return _error(413, "too_large", f"the body exceeds {intake.max_body_bytes} bytes")
    now = intake.now()
    try:
        intake.verifier.verify(request.headers, raw, now=now.timestamp())
    except SignatureError as exc:
        return _error(401, exc.code, exc.message)
    if request.content_type != "application/json":
        return _error(415, "unsupported_media_type", "send the body as application/json")
    try:
        body = parse_body(raw)
    except BodyInvalid as exc:
        fields = [{"path": f.path, "reason": f.reason} for f in exc.fields]
        return _error(422, "invalid", "the body is not acceptable", fields=fields)

    try:
        receipts = await intake.writer.submit_batched(
            intake.accept, Submission(body.items, now), weight=len(body.items)
        )
    except IntakeInvalid as exc:
        fields = [{"path": body.path(p.index, p.field), "reason": p.reason} for p in exc.problems]
        return _error(422, "invalid", "the body is not acceptable", fields=fields)
    except IntakeConflict as exc:
        items = [
            {
                "path": body.path(p.index),
                "source": body.items[p.index].source,
                "external_id": body.items[p.index].external_id,
                "reason": p.reason,
            }
            for p in exc.problems
        ]
        return _error(409, "conflict", "a key was already used for another payload", items=items)
    except DatabaseUnavailable as exc:
        log.debug("intake answered 503: %s", exc)
        return _error(503, "unavailable", "the database is unreachable; retry later")
    return _json(202, {"interactions": receipts})


async def handle_openapi(request: web.Request) -> web.Response:
    """Serve the OpenAPI document of this API."""
    return web.Response(body=request.app[INTAKE].openapi, content_type="application/json")
