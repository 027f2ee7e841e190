"""The charter import: check the pasted file like the CLI, show what changes, then apply."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.blocks.admin_ids import CHARTER_CONFIRM_VIEW, CHARTER_IMPORT_VIEW, YAML_BLOCK
from bot.blocks.admin_views import build_import_confirm, build_import_done, build_result_view
from bot.deps import Deps
from domain.charter import CharterInvalid
from domain.charter_admin import import_charter, plan_import
from domain.errors import DomainError
from handlers.commands.identity import caller_of
from handlers.views.forms import form_values, inline_errors

# Slack shows an inline error under its field; a few lines say enough, the rest is counted.
SHOWN_ERRORS = 5


def register(app: AsyncApp) -> None:
    """Attach the import form's and the confirmation's listeners."""
    app.view(CHARTER_IMPORT_VIEW)(handle_import_check)
    app.view(CHARTER_CONFIRM_VIEW)(handle_import_apply)


async def handle_import_check(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    """Refuse a wrong file inline, line by line; else show what loading it would change."""
    text = str(form_values(view).get(YAML_BLOCK) or "")
    locale = None
    try:
        async with deps.database.begin() as session:
            caller = await caller_of(session, deps, body, context)
            locale = caller.locale
            differences = await plan_import(session, caller=caller, text=text, now=deps.now())
    except CharterInvalid as invalid:
        await ack(response_action="errors", errors={YAML_BLOCK: _listed(invalid, deps, locale)})
        return
    except DomainError as refusal:
        await ack(
            response_action="errors", errors=inline_errors(refusal, view, deps.catalog, locale)
        )
        return
    await ack(
        response_action="update",
        view=build_import_confirm(text, differences, deps.catalog, locale),
    )


async def handle_import_apply(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    """Load the confirmed file (all or nothing) and say what changed."""
    locale = None
    try:
        async with deps.database.begin() as session:
            caller = await caller_of(session, deps, body, context)
            locale = caller.locale
            differences = await import_charter(
                session, caller=caller, text=view["private_metadata"], now=deps.now()
            )
    except DomainError as refusal:
        # No input to hang an error on: the confirmation turns into the reason.
        reason = (
            _listed(refusal, deps, locale)
            if isinstance(refusal, CharterInvalid)
            else deps.catalog.t(locale, refusal.key, **refusal.params)
        )
        await ack(response_action="update", view=build_result_view(reason, deps.catalog, locale))
        return
    await ack(response_action="update", view=build_import_done(differences, deps.catalog, locale))


def _listed(invalid: CharterInvalid, deps: Deps, locale: str | None) -> str:
    shown = "\n".join(invalid.errors[:SHOWN_ERRORS])
    more = len(invalid.errors) - SHOWN_ERRORS
    text = deps.catalog.t(locale, "admin.import.invalid", count=len(invalid.errors), errors=shown)
    if more > 0:
        text += "\n" + deps.catalog.t(locale, "admin.import.more_errors", count=more)
    return text
