"""app_home_opened: publish the person's Home tab, once per event whatever Slack retries."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.blocks.home import build_home
from bot.deps import Deps
from domain.admin_home import HomeData, claim_event, home_data
from handlers.commands.identity import caller_of
from handlers.refusals import showing_refusals


def register(app: AsyncApp) -> None:
    """Attach the Home tab's listener."""
    app.event("app_home_opened")(showing_refusals(handle_home_opened))


async def handle_home_opened(
    body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    """Publish the Home tab of the person who opened it (Bolt acks events by itself)."""
    if event.get("tab") != "home":
        return
    event_id = str(body.get("event_id") or "")
    async with deps.database.begin() as session:
        # Slack re-sends an event it thinks was missed (X-Slack-Retry-Num): publish once.
        if event_id and not await claim_event(session, event_id=event_id, now=deps.now()):
            return
        caller = await caller_of(session, deps, body, context)
        data = await home_data(session, caller=caller, now=deps.now(), zone=deps.settings.zone)
    await publish_home(deps, data)


async def publish_home(deps: Deps, data: HomeData) -> None:
    """Render and publish a Home tab (views.publish is Tier 4: the shared pacer spaces it)."""
    stats = getattr(deps.slack, "stats", None)
    last_error = getattr(stats, "last_error", None)
    view = build_home(data, deps.catalog, deps.settings.zone, last_slack_error=last_error)
    await deps.slack.views_publish(user_id=data.caller.user_id, view=view)
