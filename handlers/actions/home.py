"""The Home tab's buttons: the opt-out switch, and the admins' export, import and audit."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.blocks.admin_ids import HOME_AUDIT, HOME_EXPORT, HOME_IMPORT, HOME_OPT_IN, HOME_OPT_OUT
from bot.blocks.admin_views import build_import_modal
from bot.blocks.audit import build_audit_modal
from bot.deps import Deps
from domain.admin_home import home_data
from domain.audit import latest
from domain.people import set_opt_out
from handlers.commands.charter import send_charter
from handlers.commands.identity import caller_of
from handlers.events.home import publish_home
from handlers.refusals import showing_refusals

AUDIT_SHOWN = 20


def register(app: AsyncApp) -> None:
    """Attach the Home tab's buttons."""
    app.action(HOME_OPT_OUT)(showing_refusals(handle_opt_switch))
    app.action(HOME_OPT_IN)(showing_refusals(handle_opt_switch))
    app.action(HOME_EXPORT)(showing_refusals(handle_export))
    app.action(HOME_IMPORT)(showing_refusals(handle_import))
    app.action(HOME_AUDIT)(showing_refusals(handle_audit))


async def handle_opt_switch(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    """Stop or resume the clicker's pulses, then refresh their Home tab."""
    await ack()
    opted_out = body["actions"][0]["action_id"] == HOME_OPT_OUT
    async with deps.database.begin() as session:
        caller = await caller_of(session, deps, body, context)
        await set_opt_out(session, user_id=caller.user_id, opted_out=opted_out)
        data = await home_data(session, caller=caller, now=deps.now(), zone=deps.settings.zone)
    await publish_home(deps, data)


async def handle_export(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    """Upload the charter to the admin's DM."""
    await ack()
    async with deps.database.begin() as session:
        caller = await caller_of(session, deps, body, context)
    await send_charter(deps, caller)


async def handle_import(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    """Open the form where an admin pastes a charter."""
    await ack()
    async with deps.database.begin() as session:
        caller = await caller_of(session, deps, body, context)
    caller.require_admin()
    view = build_import_modal(deps.catalog, caller.locale)
    await deps.slack.views_open(trigger_id=body["trigger_id"], view=view)


async def handle_audit(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    """Open the latest audit entries in a modal."""
    await ack()
    async with deps.database.begin() as session:
        caller = await caller_of(session, deps, body, context)
        entries = await latest(session, caller=caller, limit=AUDIT_SHOWN)
    view = build_audit_modal(entries, deps.settings.zone, deps.catalog, caller.locale)
    await deps.slack.views_open(trigger_id=body["trigger_id"], view=view)
