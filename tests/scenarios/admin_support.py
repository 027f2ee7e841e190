"""Helpers for the administration scenarios: an admin in the sandbox, commands and answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlmodel import col, select

from bot.runtime import Instance
from bot.sandbox import Delivery, Sandbox, SandboxUser
from domain.directory import directory_synced_at
from storage.engine import open_database
from storage.tables import AuditEntry
from tests.scenarios.conftest import Stack

ADMIN = SandboxUser("U0ADMIN01", "Alice Admin", "alice@finances.gouv.fr")
ADMIN_EN = SandboxUser("U0ADMIN02", "Adam Admin", "adam@finances.gouv.fr", locale="en-US")
SI_OWNER = "U0SI0QUAL"
AGENT = "U0AGENT01"


@asynccontextmanager
async def admin_bot(stack: Stack, sandbox: Sandbox, **overrides: Any) -> AsyncIterator[Instance]:
    """Run the bot with two configured admins, once the directory knows everyone."""
    sandbox.add_user(ADMIN)
    sandbox.add_user(ADMIN_EN)
    async with stack.bot(admins=[ADMIN.id, ADMIN_EN.id], **overrides) as instance:
        await stack.until(lambda: directory_synced(stack.database_url))
        yield instance


async def directory_synced(database_url: str) -> bool:
    """Tell whether the bot has read the sandbox's directory (people's languages) once."""
    database = open_database(database_url)
    try:
        async with database.begin() as session:
            return await directory_synced_at(session) is not None
    finally:
        await database.dispose()


async def command(stack: Stack, sandbox: Sandbox, user: str, text: str) -> str:
    """Type `/ecoute text` as `user`; return what they alone saw in answer (text and blocks)."""
    seen = len(sandbox.ephemerals(user))
    delivery = await sandbox.agent(user).slash("/ecoute", text)
    assert delivery.status == 200, delivery.body
    assert delivery.elapsed < 3.0
    await stack.until(lambda: len(sandbox.ephemerals(user)) > seen)
    shown = sandbox.ephemerals(user)[-1]
    return f"{shown['text']}\n{shown['blocks']}"


async def open_form(stack: Stack, sandbox: Sandbox, user: str, text: str) -> None:
    """Type a command that opens a modal and wait for it."""
    before = [view.id for view in sandbox.views_for(user)]
    delivery = await sandbox.agent(user).slash("/ecoute", text)
    assert delivery.status == 200
    await stack.until(lambda: [view.id for view in sandbox.views_for(user)] != before)


async def submit(sandbox: Sandbox, user: str, values: dict[str, Any]) -> Delivery:
    """Submit the user's top modal with `{field: value}` (every input's action_id is `value`)."""
    delivery = await sandbox.agent(user).submit_view(
        values={field: {"value": value} for field, value in values.items()}
    )
    assert delivery.status == 200, delivery.body
    return delivery


def top_text(sandbox: Sandbox, user: str) -> str:
    """Return everything the user's top modal shows."""
    view = sandbox.views_for(user)[-1]
    return str(view.blocks)


async def audit_actions(stack: Stack) -> list[tuple[str, str, str]]:
    """Return the audit log as (actor, action, target), oldest first."""
    database = open_database(stack.database_url)
    try:
        async with database.begin() as session:
            rows = (await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all()
    finally:
        await database.dispose()
    return [(row.actor, row.action, row.target) for row in rows]
