"""`/ecoute roles`, `roles grant|revoke @person admin|owner`."""

from __future__ import annotations

from bot.blocks.admin_lists import build_roles
from bot.blocks.admin_text import notice
from bot.blocks.admin_views import build_revoke_role
from domain.roles import check_revocable, grant_role, list_roles, parse_user
from handlers.commands.request import CommandRequest, dispatch, take


async def run(request: CommandRequest, args: list[str]) -> None:
    """Route `roles list|grant|revoke`."""
    verbs = {"list": run_list, "grant": run_grant, "revoke": run_revoke}
    await dispatch(request, args, verbs, default=run_list)


async def run_list(request: CommandRequest, args: list[str]) -> None:
    """List who holds which role."""
    take(args, 0, "roles")
    deps = request.deps
    async with deps.database.begin() as session:
        lines = await list_roles(session, caller=request.caller, admins=deps.settings.admins)
    await request.answer(build_roles(lines, deps.catalog, request.locale))


async def run_grant(request: CommandRequest, args: list[str]) -> None:
    """Give someone a role: `grant @claire admin`."""
    who, role = take(args, 2, "roles")
    deps = request.deps
    user = parse_user(who, locale=request.locale)
    async with deps.database.begin() as session:
        granted = await grant_role(
            session, caller=request.caller, user_id=user, role=role, now=deps.now()
        )
    key = "admin.roles.granted" if granted else "admin.roles.already"
    role_name = deps.catalog.t(request.locale, f"admin.role.{role.lower()}")
    await request.answer(notice(deps.catalog.t(request.locale, key, user=user, role=role_name)))


async def run_revoke(request: CommandRequest, args: list[str]) -> None:
    """Ask for confirmation before taking a role back."""
    who, role = take(args, 2, "roles")
    deps = request.deps
    user = parse_user(who, locale=request.locale)
    async with deps.database.begin() as session:
        row = await check_revocable(
            session, caller=request.caller, user_id=user, role=role, admins=deps.settings.admins
        )
    await request.open_modal(build_revoke_role(user, row.role, deps.catalog, request.locale))
