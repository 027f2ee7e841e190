"""`/ecoute charter export|import`: the charter as the YAML file the CLI reads."""

from __future__ import annotations

from bot.blocks.admin_text import notice
from bot.blocks.admin_views import build_import_modal
from bot.deps import Deps
from domain.charter_admin import export_charter
from domain.roles import Caller
from handlers.commands.request import CommandRequest, dispatch, take


async def run(request: CommandRequest, args: list[str]) -> None:
    """Route `charter export|import`."""
    await dispatch(request, args, {"export": run_export, "import": run_import}, usage="charter")


async def run_export(request: CommandRequest, args: list[str]) -> None:
    """Upload the charter in force to the caller's DM."""
    take(args, 0, "charter")
    await send_charter(request.deps, request.caller)
    await request.answer(notice(request.deps.catalog.t(request.locale, "admin.export.sent")))


async def run_import(request: CommandRequest, args: list[str]) -> None:
    """Open the form where the charter is pasted."""
    take(args, 0, "charter")
    request.caller.require_admin()
    await request.open_modal(build_import_modal(request.deps.catalog, request.locale))


async def send_charter(deps: Deps, caller: Caller) -> None:
    """Upload the charter file into the caller's DM with the bot (admins only)."""
    async with deps.database.begin() as session:
        text = await export_charter(session, caller=caller)
    # Uploads need a conversation id, not a user id: open (or find) the DM once.
    opened = await deps.slack.conversations_open(users=caller.user_id)
    day = deps.now().astimezone(deps.settings.zone).date().isoformat()
    await deps.slack.files_upload_v2(
        channel=str(opened["channel"]["id"]),
        content=text,
        filename=f"charter-{day}.yaml",
        title=deps.catalog.t(caller.locale, "admin.export.title", date=day),
        initial_comment=deps.catalog.t(caller.locale, "admin.export.comment"),
    )
