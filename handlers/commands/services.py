"""`/ecoute services`, `service pause|resume CODE` (and `pause`/`resume` for short)."""

from __future__ import annotations

from bot.blocks.admin_lists import build_done, build_services
from domain.admin_services import list_services, set_paused
from handlers.commands.request import CommandRequest, dispatch, take


async def run(request: CommandRequest, args: list[str]) -> None:
    """Route `service list|pause|resume`."""
    verbs = {"list": run_list, "pause": run_pause, "resume": run_resume}
    await dispatch(request, args, verbs, default=run_list)


async def run_list(request: CommandRequest, args: list[str]) -> None:
    """List the live services, paused ones marked."""
    take(args, 0, "services")
    async with request.deps.database.begin() as session:
        lines = await list_services(session, caller=request.caller)
    await request.answer(build_services(lines, request.deps.catalog, request.locale))


async def run_pause(request: CommandRequest, args: list[str]) -> None:
    """Stop sending a service's pulses (they wait, none is lost)."""
    await _set(request, args, paused=True)


async def run_resume(request: CommandRequest, args: list[str]) -> None:
    """Send a paused service's pulses again."""
    await _set(request, args, paused=False)


async def _set(request: CommandRequest, args: list[str], *, paused: bool) -> None:
    [code] = take(args, 1, "service_pause")
    deps = request.deps
    async with deps.database.begin() as session:
        change = await set_paused(
            session, caller=request.caller, code=code, paused=paused, now=deps.now()
        )
    await request.answer(build_done(change, deps.catalog, request.locale))
