"""Fixtures of the intake tests: a charter service, and the intake server on a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from intake_support import IntakeClient, Signer, add_service, start_intake

from bot.config import Settings
from storage.engine import Database


@pytest.fixture
async def service_id(database: Database) -> int:
    """Return the id of charter service RH (two hours' delay)."""
    return await add_service(database)


@pytest.fixture
async def intake(
    settings: Settings, database: Database, service_id: int
) -> AsyncIterator[IntakeClient]:
    """Run the intake server with the test secret; the service cache is off for determinism."""
    http = await start_intake(settings, database, service_ttl=0)
    yield IntakeClient(http, Signer(settings.intake_secrets[0].get_secret_value()))
    await http.close()
