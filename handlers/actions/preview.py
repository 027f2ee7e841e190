"""Clicks on a pulse preview: show the next question; nothing is stored."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.blocks.admin_ids import PREVIEW_ACTION, parse_preview_value
from bot.blocks.preview import build_preview
from bot.deps import Deps
from domain.admin_questions import preview_pulse
from domain.errors import InvalidInput
from handlers.commands.identity import caller_of
from handlers.refusals import showing_refusals


def register(app: AsyncApp) -> None:
    """Attach the preview buttons' listener."""
    app.action(PREVIEW_ACTION)(showing_refusals(handle_preview_click))


async def handle_preview_click(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    deps: Deps,
) -> None:
    """Replace the preview with its next question, or its end."""
    await ack()
    try:
        code, locale, index = parse_preview_value(str(body["actions"][0].get("value", "")))
    except ValueError:
        raise InvalidInput("malformed preview button") from None
    async with deps.database.begin() as session:
        caller = await caller_of(session, deps, body, context)
        view = await preview_pulse(session, caller=caller, code=code, locale=locale)
    message = build_preview(view, index + 1, code, deps.catalog)
    await respond(replace_original=True, **message.as_kwargs())
