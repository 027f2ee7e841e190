"""`/ecoute questions CODE`, `question add|edit|reorder|archive|preview`."""

from __future__ import annotations

from bot.blocks.admin_forms import build_question_modal
from bot.blocks.admin_lists import build_done, build_questions
from bot.blocks.admin_text import notice
from bot.blocks.admin_views import build_archive_question
from bot.blocks.preview import build_preview
from domain.admin_commitments import find_line
from domain.admin_questions import (
    find_question_line,
    list_questions,
    preview_pulse,
    reorder_questions,
)
from domain.roles import LANGUAGES
from handlers.commands.request import CommandRequest, Usage, dispatch, take


async def run(request: CommandRequest, args: list[str]) -> None:
    """Route `question VERB ...`."""
    verbs = {
        "list": run_list,
        "add": run_add,
        "edit": run_edit,
        "reorder": run_reorder,
        "archive": run_archive,
        "preview": run_preview,
    }
    await dispatch(request, args, verbs, usage="questions")


async def run_list(request: CommandRequest, args: list[str]) -> None:
    """List a commitment's questions, archived ones last."""
    [code] = take(args, 1, "questions")
    async with request.deps.database.begin() as session:
        listing = await list_questions(session, caller=request.caller, commitment=code)
    await request.answer(build_questions(listing, request.deps.catalog, request.locale))


async def run_add(request: CommandRequest, args: list[str]) -> None:
    """Open the form that adds a question to a commitment."""
    [code] = take(args, 1, "question_add")
    async with request.deps.database.begin() as session:
        line = await find_line(session, caller=request.caller, code=code)
    await request.open_modal(build_question_modal(line.code, request.deps.catalog, request.locale))


async def run_edit(request: CommandRequest, args: list[str]) -> None:
    """Open the form that rewords a question."""
    [code] = take(args, 1, "question_edit")
    async with request.deps.database.begin() as session:
        question = await find_question_line(session, caller=request.caller, code=code)
    view = build_question_modal(
        question.code, request.deps.catalog, request.locale, question=question
    )
    await request.open_modal(view)


async def run_reorder(request: CommandRequest, args: list[str]) -> None:
    """Reorder a commitment's questions: `reorder IT-01 Q3 Q1`."""
    if len(args) < 2:
        raise Usage("question_reorder")
    deps = request.deps
    async with deps.database.begin() as session:
        change = await reorder_questions(
            session, caller=request.caller, commitment=args[0], codes=args[1:], now=deps.now()
        )
    await request.answer(build_done(change, deps.catalog, request.locale))


async def run_archive(request: CommandRequest, args: list[str]) -> None:
    """Ask for confirmation before archiving a question."""
    [code] = take(args, 1, "question_archive")
    async with request.deps.database.begin() as session:
        question = await find_question_line(session, caller=request.caller, code=code)
    await request.open_modal(build_archive_question(question, request.deps.catalog, request.locale))


async def run_preview(request: CommandRequest, args: list[str]) -> None:
    """Send the caller, in a DM, the pulse an agent would receive; nothing is stored."""
    if not 1 <= len(args) <= 2 or (len(args) == 2 and args[1].lower() not in LANGUAGES):
        raise Usage("question_preview")
    locale = args[1].lower() if len(args) == 2 else request.locale
    deps = request.deps
    async with deps.database.begin() as session:
        view = await preview_pulse(session, caller=request.caller, code=args[0], locale=locale)
    message = build_preview(view, 0, args[0].upper(), deps.catalog)
    # A DM rather than an ephemeral: the preview's buttons then work like a real pulse's.
    await deps.slack.chat_postMessage(channel=request.caller.user_id, **message.as_kwargs())
    await request.answer(notice(deps.catalog.t(request.locale, "admin.preview.sent")))
