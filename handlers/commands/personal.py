"""`/ecoute optout|optin`: stop (or resume) being asked, as the pulse's own menu does."""

from __future__ import annotations

from bot.blocks.pulse import build_opt_out_done
from domain.people import set_opt_out
from handlers.commands.request import CommandRequest, take


async def run_out(request: CommandRequest, args: list[str]) -> None:
    """Stop sending the caller pulses."""
    await _set(request, args, opted_out=True)


async def run_in(request: CommandRequest, args: list[str]) -> None:
    """Send the caller pulses again."""
    await _set(request, args, opted_out=False)


async def _set(request: CommandRequest, args: list[str], *, opted_out: bool) -> None:
    take(args, 0, "optout")
    async with request.deps.database.begin() as session:
        await set_opt_out(session, user_id=request.caller.user_id, opted_out=opted_out)
    await request.answer(
        build_opt_out_done(request.locale, request.deps.catalog, opted_out=opted_out)
    )
