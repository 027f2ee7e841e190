"""Confirmed destructive changes: archive a commitment or a question, take a role back."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.blocks.admin_ids import CONFIRM_VIEW
from bot.blocks.admin_lists import build_done
from bot.blocks.admin_views import build_result_view, parse_confirmation
from bot.deps import Deps
from domain.admin_commitments import archive_commitment
from domain.admin_questions import archive_question
from domain.charter_admin import Change
from domain.errors import DomainError, InvalidInput
from domain.roles import Caller, revoke_role
from handlers.commands.identity import caller_of


def register(app: AsyncApp) -> None:
    """Attach the confirmation's listener."""
    app.view(CONFIRM_VIEW)(handle_confirmation)


async def handle_confirmation(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    """Do the confirmed change and show its outcome in place of the confirmation."""
    locale = None
    try:
        action, arguments = parse_confirmation(view["private_metadata"])
        async with deps.database.begin() as session:
            caller = await caller_of(session, deps, body, context)
            locale = caller.locale
            change = await _apply(session, deps, caller, action, arguments)
    except (DomainError, ValueError, KeyError) as refusal:
        # A confirmation has no input to show an error under: it becomes the reason instead.
        if not isinstance(refusal, DomainError):
            refusal = InvalidInput("malformed confirmation")
        reason = deps.catalog.t(locale, refusal.key, **refusal.params)
        await ack(response_action="update", view=build_result_view(reason, deps.catalog, locale))
        return
    text = build_done(change, deps.catalog, locale).text
    await ack(response_action="update", view=build_result_view(text, deps.catalog, locale))


async def _apply(
    session: AsyncSession, deps: Deps, caller: Caller, action: str, arguments: dict[str, str]
) -> Change:
    now = deps.now()
    if action == "commitment.archive":
        return await archive_commitment(session, caller=caller, code=arguments["code"], now=now)
    if action == "question.archive":
        return await archive_question(session, caller=caller, code=arguments["code"], now=now)
    if action == "role.revoke":
        user, role = arguments["user"], arguments["role"]
        await revoke_role(
            session, caller=caller, user_id=user, role=role, admins=deps.settings.admins, now=now
        )
        return Change(action=action, target=user, before={"role": role}, after=None)
    raise ValueError(f"unknown confirmation {action!r}")
