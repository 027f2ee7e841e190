"""The plan form, the note to contributors, its preview and what became of it."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks.admin_forms import modal, text_input
from bot.blocks.admin_ids import INPUT
from bot.blocks.admin_views import build_result_view
from bot.blocks.base import Block, context, escape, plain, section
from bot.blocks.plan_ids import (
    NOTE_CONFIRM_VIEW,
    NOTE_DONE_VIEW,
    NOTE_FORM_VIEW,
    NOTE_TEXT_BLOCK,
    NOTE_TEXT_EN_BLOCK,
    PLAN_FORM_VIEW,
    SUMMARY_BLOCK,
    action_block,
    note_metadata,
)
from bot.blocks.plan_notices import note_blocks
from bot.i18n import Catalog
from domain.plan_notes import MAX_NOTE, MIN_RECIPIENTS, NotePreview
from domain.plans import MAX_ACTION_TEXT, MAX_ACTIONS, MAX_SUMMARY, PlanChange
from domain.pulse_view import localized
from storage.tables import Commitment


def _picker(name: str, label: str, kind: str, *, optional: bool) -> Block:
    block: Block = {
        "type": "input",
        "block_id": name,
        "label": plain(label, 2000),
        "element": {"type": kind, "action_id": INPUT},
    }
    if optional:
        block["optional"] = True
    return block


def build_plan_modal(
    commitment: Commitment, catalog: Catalog, locale: str | None, *, today: date
) -> dict[str, Any]:
    """Return the form opening a plan: what will change, then up to five actions."""
    title = localized(locale or "fr", commitment.title, commitment.title_en)
    blocks: list[Block] = [
        section(catalog.t(locale, "plan.form.intro", code=commitment.code, title=escape(title))),
        text_input(
            SUMMARY_BLOCK,
            catalog.t(locale, "plan.form.summary"),
            multiline=True,
            max_length=MAX_SUMMARY,
            hint=catalog.t(locale, "plan.form.summary_hint"),
        ),
    ]
    for index in range(1, MAX_ACTIONS + 1):
        optional = index > 1
        blocks += [
            context(catalog.t(locale, "plan.form.action", number=index)),
            text_input(
                action_block(index, "text"),
                catalog.t(locale, "plan.form.action_text"),
                optional=optional,
                max_length=MAX_ACTION_TEXT,
            ),
            _picker(
                action_block(index, "carrier"),
                catalog.t(locale, "plan.form.carrier"),
                "users_select",
                optional=optional,
            ),
            _picker(
                action_block(index, "due"),
                catalog.t(locale, "plan.form.due"),
                "datepicker",
                optional=optional,
            ),
        ]
    blocks.append(
        context(catalog.t(locale, "plan.form.footer", date=today.isoformat(), count=MAX_ACTIONS))
    )
    return modal(
        PLAN_FORM_VIEW,
        catalog.t(locale, "plan.form.title"),
        blocks,
        catalog,
        locale,
        metadata=str(commitment.id),
        submit=catalog.t(locale, "plan.form.submit"),
    )


def build_plan_opened(opened: PlanChange, catalog: Catalog, locale: str | None) -> dict[str, Any]:
    """Return what replaces the form once the plan is open."""
    text = catalog.t(locale, "plan.opened", id=opened.plan_id, code=opened.code)
    return build_result_view(text, catalog, locale)


def build_note_modal(
    plan_id: int, code: str, catalog: Catalog, locale: str | None
) -> dict[str, Any]:
    """Return the form where the owner writes what changed, to preview before sending."""
    blocks: list[Block] = [
        section(catalog.t(locale, "plan.note_form.intro", id=plan_id, code=code)),
        text_input(
            NOTE_TEXT_BLOCK,
            catalog.t(locale, "plan.note_form.text"),
            multiline=True,
            max_length=MAX_NOTE,
            hint=catalog.t(locale, "plan.note_form.text_hint"),
        ),
        text_input(
            NOTE_TEXT_EN_BLOCK,
            catalog.t(locale, "plan.note_form.text_en"),
            multiline=True,
            optional=True,
            max_length=MAX_NOTE,
        ),
        context(catalog.t(locale, "plan.note_form.rules", minimum=MIN_RECIPIENTS)),
    ]
    return modal(
        NOTE_FORM_VIEW,
        catalog.t(locale, "plan.note_form.title"),
        blocks,
        catalog,
        locale,
        metadata=str(plan_id),
        submit=catalog.t(locale, "plan.note_form.preview"),
    )


def _counts(preview: NotePreview, catalog: Catalog, locale: str | None, *, sent: bool) -> str:
    name = "plan.note_form.queued" if sent else "plan.note_form.reach"
    return catalog.t(
        locale,
        name,
        reached=preview.reached,
        skipped=preview.skipped,
        unreachable=preview.unreachable,
    )


def build_note_preview(
    preview: NotePreview, catalog: Catalog, locale: str | None
) -> dict[str, Any]:
    """Return the note exactly as recipients will read it, in each language, and its reach."""
    plan = preview.plan
    blocks: list[Block] = [section(_counts(preview, catalog, locale, sent=False))]
    for language in ("fr", "en"):
        text = preview.text_en if language == "en" and preview.text_en else preview.text
        title = localized(language, plan.title, plan.title_en)
        heading = catalog.t(locale, f"plan.note_form.as_{language}")
        blocks += [
            {"type": "divider"},
            context(heading),
            *note_blocks(text, title, catalog, language),
        ]
    blocks.append(context(catalog.t(locale, "plan.note_form.confirm_hint")))
    return modal(
        NOTE_CONFIRM_VIEW,
        catalog.t(locale, "plan.note_form.title"),
        blocks,
        catalog,
        locale,
        metadata=note_metadata(plan.id, preview.text, preview.text_en),
        submit=catalog.t(locale, "plan.note_form.send"),
    )


def build_note_queued(preview: NotePreview, catalog: Catalog, locale: str | None) -> dict[str, Any]:
    """Return how many the note will reach (never who), in place of the preview."""
    view = build_result_view(_counts(preview, catalog, locale, sent=True), catalog, locale)
    view["callback_id"] = NOTE_DONE_VIEW
    return view
