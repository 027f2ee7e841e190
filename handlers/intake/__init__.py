"""The intake HTTP API: ticketing systems report interactions, each becomes a pending pulse."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.config import SettingsError
from bot.deps import Deps
from domain.intake import ServiceDirectory
from handlers.intake.openapi import INTERACTIONS_PATH, OPENAPI_PATH, build_document
from handlers.intake.routes import (
    INTAKE,
    Intake,
    batch_runner,
    handle_interactions,
    handle_openapi,
)
from handlers.intake.signature import Verifier, decode_secret
from storage.group_commit import GroupCommit

__all__ = ["INTAKE", "Intake", "register", "run_writer"]

log = logging.getLogger(__name__)


def register(
    app: web.Application, deps: Deps, *, max_units: int = 512, service_ttl: float = 5.0
) -> None:
    """Add `POST /api/v1/interactions` and its OpenAPI document; run the writer with the app."""
    try:
        keys = [decode_secret(secret.get_secret_value()) for secret in deps.settings.intake_secrets]
    except ValueError as exc:
        raise SettingsError(f"invalid setting ECOUTE_INTAKE_SECRETS: {exc}") from None
    if not keys:
        log.warning("ECOUTE_INTAKE_SECRETS is empty: every intake request will be refused (401)")
    app[INTAKE] = Intake(
        verifier=Verifier(keys),
        writer=GroupCommit(deps.database, max_units=max_units),
        accept=batch_runner(ServiceDirectory(ttl=service_ttl)),
        now=deps.now,
        max_body_bytes=deps.settings.max_body_bytes,
        openapi=json.dumps(build_document(), ensure_ascii=False).encode(),
    )
    app.router.add_post(INTERACTIONS_PATH, handle_interactions)
    app.router.add_get(OPENAPI_PATH, handle_openapi)
    app.cleanup_ctx.append(run_writer)


async def run_writer(app: web.Application) -> AsyncIterator[None]:
    """Start the group-commit writer with the app and drain it on shutdown."""
    async with app[INTAKE].writer:
        yield
