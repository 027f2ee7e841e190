"""Who sent a verified Slack payload: their user and team ids, never their names."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.deps import Deps
from domain.roles import Actor, Caller, identify


def actor_of(body: dict[str, Any], context: AsyncBoltContext) -> Actor:
    """Return the actor of a command, interaction or event payload (verified by Bolt)."""
    user = body.get("user")
    if isinstance(user, dict):
        user_id = str(user.get("id", ""))
        team = user.get("team_id") or (body.get("team") or {}).get("id")
    else:
        event = body.get("event") or {}
        user_id = str(body.get("user_id") or event.get("user") or "")
        team = body.get("user_team") or body.get("team_id")
    installed = context.authorize_result.team_id if context.authorize_result else None
    return Actor(user_id=user_id, team_id=str(team) if team else None, home_team=installed)


async def caller_of(
    session: AsyncSession, deps: Deps, body: dict[str, Any], context: AsyncBoltContext
) -> Caller:
    """Return the caller behind a payload, with their language and rights."""
    return await identify(
        session,
        actor=actor_of(body, context),
        admins=deps.settings.admins,
        default_locale=deps.settings.default_locale,
    )
