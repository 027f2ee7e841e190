"""Plan submissions: the plan form, the note's preview and its sending; errors answered inline."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.blocks.admin_ids import INPUT
from bot.blocks.admin_views import build_result_view
from bot.blocks.plan_forms import build_note_preview, build_note_queued, build_plan_opened
from bot.blocks.plan_ids import (
    NOTE_CONFIRM_VIEW,
    NOTE_FORM_VIEW,
    NOTE_TEXT_BLOCK,
    NOTE_TEXT_EN_BLOCK,
    PLAN_FORM_VIEW,
    SUMMARY_BLOCK,
    action_block,
    parse_note_metadata,
)
from bot.deps import Deps
from domain.errors import DomainError, InvalidInput
from domain.plan_notes import preview_note, send_note
from domain.plans import MAX_ACTIONS, ActionDraft, PlanForm, open_plan
from handlers.commands.identity import caller_of
from handlers.views.forms import inline_errors


def register(app: AsyncApp) -> None:
    """Attach the plan modals' listeners."""
    app.view(PLAN_FORM_VIEW)(handle_plan_form)
    app.view(NOTE_FORM_VIEW)(handle_note_form)
    app.view(NOTE_CONFIRM_VIEW)(handle_note_confirm)


def picked(view: dict[str, Any]) -> dict[str, str | None]:
    """Return {block_id: text, picked user or picked date} of a submitted modal."""
    values: dict[str, str | None] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        state = actions.get(INPUT) or {}
        for name in ("value", "selected_user", "selected_date"):
            if name in state:
                values[block_id] = state.get(name)
    return values


def plan_form(view: dict[str, Any]) -> PlanForm:
    """Read the plan form's summary and action slots."""
    values = picked(view)
    actions = tuple(
        ActionDraft(
            text=values.get(action_block(index, "text")),
            carrier=values.get(action_block(index, "carrier")),
            due=values.get(action_block(index, "due")),
        )
        for index in range(1, MAX_ACTIONS + 1)
    )
    return PlanForm(summary=values.get(SUMMARY_BLOCK), actions=actions)


async def handle_plan_form(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    """Open the plan, then show its number in place of the form."""
    locale = None
    try:
        async with deps.database.begin() as session:
            caller = await caller_of(session, deps, body, context)
            locale = caller.locale
            opened = await open_plan(
                session,
                caller=caller,
                commitment_id=int(view["private_metadata"]),
                form=plan_form(view),
                now=deps.now(),
                zone=deps.settings.zone,
            )
    except DomainError as refusal:
        # The submission's ack is the only answer a modal can show: the errors go inline.
        await ack(
            response_action="errors", errors=inline_errors(refusal, view, deps.catalog, locale)
        )
        return
    await ack(response_action="update", view=build_plan_opened(opened, deps.catalog, locale))


async def handle_note_form(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    """Show the note as recipients will read it, and how many it reaches, before sending."""
    values = picked(view)
    locale = None
    try:
        async with deps.database.begin() as session:
            caller = await caller_of(session, deps, body, context)
            locale = caller.locale
            preview = await preview_note(
                session,
                caller=caller,
                plan_id=int(view["private_metadata"]),
                text=values.get(NOTE_TEXT_BLOCK),
                text_en=values.get(NOTE_TEXT_EN_BLOCK),
                now=deps.now(),
                cooldown=deps.settings.etiquette.cooldown,
                default_locale=deps.settings.default_locale,
            )
    except DomainError as refusal:
        await ack(
            response_action="errors", errors=inline_errors(refusal, view, deps.catalog, locale)
        )
        return
    await ack(response_action="update", view=build_note_preview(preview, deps.catalog, locale))


async def handle_note_confirm(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    """Queue the previewed note and tell how many it will reach (never who)."""
    locale = None
    try:
        plan_id, text, text_en = parse_note_metadata(view["private_metadata"])
        async with deps.database.begin() as session:
            caller = await caller_of(session, deps, body, context)
            locale = caller.locale
            sent = await send_note(
                session,
                caller=caller,
                plan_id=plan_id,
                text=text,
                text_en=text_en,
                now=deps.now(),
                cooldown=deps.settings.etiquette.cooldown,
                zone=deps.settings.zone,
                default_locale=deps.settings.default_locale,
            )
    except (DomainError, ValueError) as refusal:
        # The preview has no input to show an error under: the reason replaces it.
        if not isinstance(refusal, DomainError):
            refusal = InvalidInput("malformed note confirmation")
        reason = deps.catalog.t(locale, refusal.key, **refusal.params)
        await ack(response_action="update", view=build_result_view(reason, deps.catalog, locale))
        return
    await ack(response_action="update", view=build_note_queued(sent, deps.catalog, locale))
