"""`/ecoute audit [N]`: the latest changes, for admins."""

from __future__ import annotations

from bot.blocks.audit import build_audit
from domain.audit import MAX_SHOWN, latest
from handlers.commands.request import CommandRequest, Usage

DEFAULT_SHOWN = 10


async def run(request: CommandRequest, args: list[str]) -> None:
    """Answer the newest entries of the audit log."""
    if len(args) > 1 or (args and not args[0].isdigit()):
        raise Usage("audit")
    limit = min(int(args[0]), MAX_SHOWN) if args else DEFAULT_SHOWN
    deps = request.deps
    async with deps.database.begin() as session:
        entries = await latest(session, caller=request.caller, limit=limit)
    await request.answer(build_audit(entries, deps.settings.zone, deps.catalog, request.locale))
