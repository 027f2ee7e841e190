"""The commitment forms' submissions: create or edit, wrong fields answered inline."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.blocks.admin_ids import COMMITMENT_ADD_VIEW, COMMITMENT_EDIT_VIEW, COMMON_SERVICE
from bot.blocks.admin_lists import build_done
from bot.blocks.admin_views import build_result_view
from bot.deps import Deps
from domain.admin_commitments import CommitmentForm, add_commitment, edit_commitment
from domain.errors import DomainError
from handlers.commands.identity import caller_of
from handlers.views.forms import form_values, inline_errors


def register(app: AsyncApp) -> None:
    """Attach the commitment forms' listeners."""
    app.view(COMMITMENT_ADD_VIEW)(handle_commitment_form)
    app.view(COMMITMENT_EDIT_VIEW)(handle_commitment_form)


async def handle_commitment_form(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    """Check and store the commitment, then show what changed in place of the form."""
    values = form_values(view)
    service = values.get("service")
    form = CommitmentForm(
        code=values.get("code"),
        service=None if service == COMMON_SERVICE else service,
        title=values.get("title"),
        title_en=values.get("title_en"),
        metric=values.get("metric"),
        threshold=values.get("threshold"),
        min_responses=values.get("min_responses"),
        window_days=values.get("window_days"),
        owners=tuple(values.get("owners") or ()),
        kind=values.get("kind"),
        text_fr=values.get("text_fr"),
        text_en=values.get("text_en"),
    )
    locale = None
    try:
        async with deps.database.begin() as session:
            caller = await caller_of(session, deps, body, context)
            locale = caller.locale
            if view["callback_id"] == COMMITMENT_ADD_VIEW:
                change = await add_commitment(session, caller=caller, form=form, now=deps.now())
            else:
                code = view["private_metadata"]
                change = await edit_commitment(
                    session, caller=caller, code=code, form=form, now=deps.now()
                )
    except DomainError as refusal:
        # The submission's ack is the only answer a modal can show: the errors go inline.
        errors = inline_errors(refusal, view, deps.catalog, locale)
        await ack(response_action="errors", errors=errors)
        return
    done = build_done(change, deps.catalog, locale)
    await ack(response_action="update", view=build_result_view(done.text, deps.catalog, locale))
