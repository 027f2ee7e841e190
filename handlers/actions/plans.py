"""Plan buttons: open (or show) a commitment's plan; a carrier reports their action done."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.blocks.plan_forms import build_plan_modal
from bot.blocks.plan_ids import ACTION_DONE_ACTION, PLAN_OPEN_ACTION
from bot.blocks.plan_messages import build_plan_change, build_plan_view
from bot.deps import Deps
from domain.errors import InvalidInput
from domain.plan_views import PlanDetails, plan_entry
from domain.plans import parse_reference, update_plan
from handlers.commands.identity import caller_of
from handlers.refusals import showing_refusals


def register(app: AsyncApp) -> None:
    """Attach the plan buttons' listeners."""
    app.action(PLAN_OPEN_ACTION)(showing_refusals(handle_open_plan))
    app.action(ACTION_DONE_ACTION)(showing_refusals(handle_action_done))


async def handle_open_plan(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    """Open the plan form of a fallen commitment, or show the plan already open for it."""
    await ack()
    try:
        commitment_id = int(body["actions"][0]["value"])
    except (KeyError, ValueError):
        raise InvalidInput("malformed plan button") from None
    now = deps.now()
    async with deps.database.begin() as session:
        caller = await caller_of(session, deps, body, context)
        entry = await plan_entry(session, caller=caller, now=now, commitment_id=commitment_id)
    if isinstance(entry, PlanDetails):
        view = build_plan_view(entry, deps.catalog, caller.locale, deps.settings.zone)
    else:
        today = now.astimezone(deps.settings.zone).date()
        view = build_plan_modal(entry, deps.catalog, caller.locale, today=today)
    await deps.slack.views_open(trigger_id=body["trigger_id"], view=view)


async def handle_action_done(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    deps: Deps,
) -> None:
    """Mark the reminded action done and say so in place of the reminder."""
    await ack()
    async with deps.database.begin() as session:
        caller = await caller_of(session, deps, body, context)
        plan_id, position = parse_reference(
            str(body["actions"][0].get("value", "")), locale=caller.locale
        )
        change = await update_plan(
            session,
            caller=caller,
            plan_id=plan_id,
            position=position,
            done=True,
            reason=None,
            now=deps.now(),
        )
    message = build_plan_change(change, deps.catalog, caller.locale)
    await respond(replace_original=True, **message.as_kwargs())
