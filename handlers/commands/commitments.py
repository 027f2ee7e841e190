"""`/ecoute commitments`, `commitment add|edit|threshold|window|min|owners|archive`."""

from __future__ import annotations

from bot.blocks.admin_forms import build_commitment_modal
from bot.blocks.admin_lists import build_commitments, build_done
from bot.blocks.admin_views import build_archive_commitment
from domain.admin_commitments import (
    commitment_choices,
    find_line,
    list_commitments,
    set_min_responses,
    set_owners,
    set_threshold,
    set_window,
)
from handlers.commands.request import CommandRequest, Usage, dispatch, take


async def run(request: CommandRequest, args: list[str]) -> None:
    """Route `commitment VERB ...`."""
    verbs = {
        "list": run_list,
        "add": run_add,
        "edit": run_edit,
        "threshold": run_threshold,
        "window": run_window,
        "min": run_min,
        "min-responses": run_min,
        "owners": run_owners,
        "archive": run_archive,
    }
    await dispatch(request, args, verbs, default=run_list)


async def run_list(request: CommandRequest, args: list[str]) -> None:
    """List the commitments (of one service if named)."""
    if len(args) > 1:
        raise Usage("commitments")
    async with request.deps.database.begin() as session:
        lines = await list_commitments(
            session, caller=request.caller, service=args[0] if args else None
        )
    await request.answer(build_commitments(lines, request.deps.catalog, request.locale))


async def run_add(request: CommandRequest, args: list[str]) -> None:
    """Open the form that creates a commitment."""
    take(args, 0, "commitment_add")
    async with request.deps.database.begin() as session:
        choices = await commitment_choices(session, caller=request.caller)
    await request.open_modal(build_commitment_modal(choices, request.deps.catalog, request.locale))


async def run_edit(request: CommandRequest, args: list[str]) -> None:
    """Open the form that edits a commitment, filled with its values."""
    [code] = take(args, 1, "commitment_edit")
    async with request.deps.database.begin() as session:
        line = await find_line(session, caller=request.caller, code=code)
        choices = await commitment_choices(session, caller=request.caller)
    view = build_commitment_modal(choices, request.deps.catalog, request.locale, line=line)
    await request.open_modal(view)


async def run_threshold(request: CommandRequest, args: list[str]) -> None:
    """Set a commitment's target: `threshold IT-01 85`."""
    code, value = take(args, 2, "commitment_threshold")
    deps = request.deps
    async with deps.database.begin() as session:
        change = await set_threshold(
            session, caller=request.caller, code=code, value=value, now=deps.now()
        )
    await request.answer(build_done(change, deps.catalog, request.locale))


async def run_window(request: CommandRequest, args: list[str]) -> None:
    """Set a commitment's window in days: `window IT-01 30`."""
    code, value = take(args, 2, "commitment_window")
    deps = request.deps
    async with deps.database.begin() as session:
        change = await set_window(
            session, caller=request.caller, code=code, value=value, now=deps.now()
        )
    await request.answer(build_done(change, deps.catalog, request.locale))


async def run_min(request: CommandRequest, args: list[str]) -> None:
    """Set a commitment's minimum respondents: `min IT-01 10`."""
    code, value = take(args, 2, "commitment_min")
    deps = request.deps
    async with deps.database.begin() as session:
        change = await set_min_responses(
            session, caller=request.caller, code=code, value=value, now=deps.now()
        )
    await request.answer(build_done(change, deps.catalog, request.locale))


async def run_owners(request: CommandRequest, args: list[str]) -> None:
    """Replace a commitment's owners: `owners IT-01 @sophie @claire`."""
    if len(args) < 2:
        raise Usage("commitment_owners")
    deps = request.deps
    async with deps.database.begin() as session:
        change = await set_owners(
            session, caller=request.caller, code=args[0], owners=args[1:], now=deps.now()
        )
    await request.answer(build_done(change, deps.catalog, request.locale))


async def run_archive(request: CommandRequest, args: list[str]) -> None:
    """Ask for confirmation before archiving a commitment."""
    [code] = take(args, 1, "commitment_archive")
    async with request.deps.database.begin() as session:
        line = await find_line(session, caller=request.caller, code=code)
    await request.open_modal(build_archive_commitment(line, request.deps.catalog, request.locale))
