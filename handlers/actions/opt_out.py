""" "Stop asking me" on a pulse, and its undo: effective at once, across every service."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.blocks.base import Message, section
from bot.blocks.ids import OPT_IN_ACTION, OPT_OUT_ACTION
from bot.blocks.pulse import build_opt_out_done
from bot.deps import Deps
from domain.people import set_opt_out
from handlers.refusals import showing_refusals


def register(app: AsyncApp) -> None:
    """Attach the opt-out menu and the undo button."""
    app.action(OPT_OUT_ACTION)(showing_refusals(handle_pulse_menu))
    app.action(OPT_IN_ACTION)(showing_refusals(handle_opt_in))


async def handle_pulse_menu(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, deps: Deps
) -> None:
    """Opt the clicker out, or explain why they were asked."""
    await ack()
    choice, _, locale = str(body["actions"][0]["selected_option"]["value"]).partition(":")
    if choice == "why":
        text = deps.catalog.t(locale, "pulse.why_me_text")
        message = Message(text=text, blocks=[section(text)])
    else:
        async with deps.database.begin() as session:
            await set_opt_out(session, user_id=body["user"]["id"], opted_out=True)
        message = build_opt_out_done(locale, deps.catalog, opted_out=True)
    await respond(response_type="ephemeral", replace_original=False, **message.as_kwargs())


async def handle_opt_in(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, deps: Deps
) -> None:
    """Undo an opt-out."""
    await ack()
    locale = str(body["actions"][0].get("value") or "fr")
    async with deps.database.begin() as session:
        await set_opt_out(session, user_id=body["user"]["id"], opted_out=False)
    message = build_opt_out_done(locale, deps.catalog, opted_out=False)
    await respond(response_type="ephemeral", replace_original=True, **message.as_kwargs())
