"""`/ecoute schedule [@person] [days HH:MM]` and `/ecoute schedules`: when digests go."""

from __future__ import annotations

from bot.blocks.admin_lists import build_done, build_schedule, build_schedules
from domain.admin_services import list_schedules, schedule_of, set_schedule
from domain.roles import parse_user
from handlers.commands.request import CommandRequest, take


async def run(request: CommandRequest, args: list[str]) -> None:
    """Show or set a digest schedule: one's own, or (admins) someone else's."""
    user = request.caller.user_id
    if args and args[0].startswith("<@"):
        user = parse_user(args[0], locale=request.locale)
        args = args[1:]
    if args:
        await _set(request, user, " ".join(args))
    else:
        await _show(request, user)


async def run_list(request: CommandRequest, args: list[str]) -> None:
    """List every owner's schedule."""
    take(args, 0, "schedules")
    deps = request.deps
    async with deps.database.begin() as session:
        infos = await list_schedules(
            session, caller=request.caller, now=deps.now(), zone=deps.settings.zone
        )
    await request.answer(build_schedules(infos, deps.catalog, request.locale))


async def _show(request: CommandRequest, user: str) -> None:
    deps = request.deps
    async with deps.database.begin() as session:
        info = await schedule_of(
            session, caller=request.caller, user_id=user, now=deps.now(), zone=deps.settings.zone
        )
    await request.answer(build_schedule(info, deps.settings.zone, deps.catalog, request.locale))


async def _set(request: CommandRequest, user: str, schedule: str) -> None:
    deps = request.deps
    async with deps.database.begin() as session:
        change = await set_schedule(
            session, caller=request.caller, user_id=user, schedule=schedule, now=deps.now()
        )
    await request.answer(build_done(change, deps.catalog, request.locale))
