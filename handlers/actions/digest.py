"""The details button of digests and alerts: open the commitment's details modal."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.blocks.details import build_details_modal
from bot.blocks.digest import DETAILS_ACTION
from bot.deps import Deps
from domain.digests import commitment_details
from domain.errors import InvalidInput
from handlers.refusals import showing_refusals


def register(app: AsyncApp) -> None:
    """Attach the details button's listener."""
    app.action(DETAILS_ACTION)(showing_refusals(handle_details))


async def handle_details(ack: AsyncAck, body: dict[str, Any], deps: Deps) -> None:
    """Open the modal of the commitment whose details were asked for (owners and admins)."""
    await ack()
    try:
        commitment_id = int(body["actions"][0]["value"])
    except (KeyError, ValueError):
        raise InvalidInput("malformed details button") from None
    locale = deps.settings.default_locale
    async with deps.database.begin() as session:
        details = await commitment_details(
            session,
            commitment_id=commitment_id,
            user_id=body["user"]["id"],
            as_of=deps.now(),
            admins=deps.settings.admins,
            email_mask=deps.catalog.t(locale, "digest.email_mask"),
            phone_mask=deps.catalog.t(locale, "digest.phone_mask"),
        )
    view = build_details_modal(details, deps.catalog, details.viewer_locale or locale)
    await deps.slack.views_open(trigger_id=body["trigger_id"], view=view)
