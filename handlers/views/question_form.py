"""The question forms' submissions: add or reword, wrong fields answered inline."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.blocks.admin_ids import QUESTION_ADD_VIEW, QUESTION_EDIT_VIEW
from bot.blocks.admin_lists import build_done
from bot.blocks.admin_views import build_result_view
from bot.deps import Deps
from domain.admin_questions import add_question, edit_question
from domain.errors import DomainError
from handlers.commands.identity import caller_of
from handlers.views.forms import form_values, inline_errors


def register(app: AsyncApp) -> None:
    """Attach the question forms' listeners."""
    app.view(QUESTION_ADD_VIEW)(handle_question_form)
    app.view(QUESTION_EDIT_VIEW)(handle_question_form)


async def handle_question_form(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    """Check and store the question, then show what changed in place of the form."""
    values = form_values(view)
    code = view["private_metadata"]
    locale = None
    try:
        async with deps.database.begin() as session:
            caller = await caller_of(session, deps, body, context)
            locale = caller.locale
            if view["callback_id"] == QUESTION_ADD_VIEW:
                change = await add_question(
                    session,
                    caller=caller,
                    commitment=code,
                    kind=values.get("kind"),
                    text_fr=values.get("text_fr"),
                    text_en=values.get("text_en"),
                    now=deps.now(),
                )
            else:
                change = await edit_question(
                    session,
                    caller=caller,
                    code=code,
                    text_fr=values.get("text_fr"),
                    text_en=values.get("text_en"),
                    now=deps.now(),
                )
    except DomainError as refusal:
        # The submission's ack is the only answer a modal can show: the errors go inline.
        errors = inline_errors(refusal, view, deps.catalog, locale)
        await ack(response_action="errors", errors=errors)
        return
    done = build_done(change, deps.catalog, locale)
    await ack(response_action="update", view=build_result_view(done.text, deps.catalog, locale))
