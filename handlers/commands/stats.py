"""`/ecoute stats [CODE]`: scores of a service, a commitment, or all one may see."""

from __future__ import annotations

from bot.blocks.admin_stats import build_stats
from domain.admin_stats import stats_for
from handlers.commands.request import CommandRequest, Usage


async def run(request: CommandRequest, args: list[str]) -> None:
    """Answer the score cards, worst first."""
    if len(args) > 1:
        raise Usage("stats")
    deps = request.deps
    async with deps.database.begin() as session:
        stats = await stats_for(
            session, caller=request.caller, code=args[0] if args else None, now=deps.now()
        )
    await request.answer(build_stats(stats, deps.catalog, request.locale))
