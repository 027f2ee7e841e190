"""Serve auth.test and the users.* Web API methods."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from bot.sandbox.api_params import ApiContext, Handler, Params
from bot.sandbox.errors import ApiError
from bot.sandbox.models import SandboxUser
from bot.sandbox.workspace import Workspace

USERS_PAGE_MAX = 200
USERS_PAGE_DEFAULT = 100


def user_object(ws: Workspace, user: SandboxUser, *, include_locale: bool) -> dict[str, Any]:
    """Render a member the way users.info and users.list do."""
    zone = ZoneInfo(user.tz)
    now = datetime.now(UTC).astimezone(zone)
    offset = now.utcoffset()
    profile: dict[str, Any] = {
        "real_name": user.name,
        "real_name_normalized": user.name,
        "display_name": "",
        "display_name_normalized": "",
        "team": ws.team_id,
    }
    if user.is_bot:
        profile["bot_id"] = ws.bot_id if user.id == ws.bot_user_id else "B" + user.id[1:]
    else:
        profile["email"] = user.email
    shaped: dict[str, Any] = {
        "id": user.id,
        "team_id": ws.team_id,
        "name": user.username,
        "deleted": user.deleted,
        "real_name": user.name,
        "tz": user.tz,
        "tz_label": now.tzname() or user.tz,
        "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
        "profile": profile,
        "is_admin": False,
        "is_owner": False,
        "is_primary_owner": False,
        "is_restricted": False,
        "is_ultra_restricted": False,
        "is_bot": user.is_bot,
        "is_app_user": False,
        "updated": 0,
    }
    if include_locale:
        shaped["locale"] = user.locale
    return shaped


def auth_test(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """auth.test: identify the bot (Bolt's single-team authorization calls it)."""
    ws = ctx.workspace
    return {
        "ok": True,
        "url": f"https://{ws.team_domain}.slack.com/",
        "team": "Écoute Sandbox",
        "user": "ecoute",
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


def info(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """users.info: one member; `locale` only with include_locale, as Slack does."""
    ws = ctx.workspace
    user = ws.user(p.required("user", "user_not_found"))
    return {"ok": True, "user": user_object(ws, user, include_locale=p.flag("include_locale"))}


def _page_start(ws: Workspace, cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        user_id = base64.b64decode(cursor).decode().removeprefix("user:")
    except ValueError as error:
        raise ApiError("invalid_cursor") from error
    ids = list(ws.users)
    if user_id not in ids:
        raise ApiError("invalid_cursor")
    return ids.index(user_id)


def list_users(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """users.list: every member, bots and deactivated ones included, paged by cursor."""
    ws = ctx.workspace
    limit = p.number("limit", USERS_PAGE_DEFAULT)
    limit = USERS_PAGE_DEFAULT if limit <= 0 else min(limit, USERS_PAGE_MAX)
    everyone = list(ws.users.values())
    start = _page_start(ws, p.optional("cursor"))
    page = everyone[start : start + limit]
    following = everyone[start + limit] if start + limit < len(everyone) else None
    include_locale = p.flag("include_locale")
    return {
        "ok": True,
        "members": [user_object(ws, user, include_locale=include_locale) for user in page],
        "cache_ts": 0,
        "response_metadata": {
            "next_cursor": (
                base64.b64encode(f"user:{following.id}".encode()).decode() if following else ""
            )
        },
    }


def lookup_by_email(ctx: ApiContext, p: Params) -> dict[str, Any]:
    """users.lookupByEmail: the active member with that email, else `users_not_found`."""
    ws = ctx.workspace
    email = p.required("email", "invalid_email").lower()
    for user in ws.users.values():
        if user.email.lower() == email and not user.deleted and not user.is_bot:
            return {"ok": True, "user": user_object(ws, user, include_locale=False)}
    raise ApiError("users_not_found")


USER_METHODS: Mapping[str, Handler] = MappingProxyType(
    {
        "auth.test": auth_test,
        "users.info": info,
        "users.list": list_users,
        "users.lookupByEmail": lookup_by_email,
    }
)
