"""The forms admins fill in: a commitment, a question; each input's block_id names its field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks.admin_ids import (
    COMMITMENT_ADD_VIEW,
    COMMITMENT_EDIT_VIEW,
    COMMON_SERVICE,
    INPUT,
    QUESTION_ADD_VIEW,
    QUESTION_EDIT_VIEW,
)
from bot.blocks.base import Block, context, escape, plain
from bot.i18n import Catalog, format_number
from domain.admin_commitments import BUTTON_KINDS, CommitmentChoices, CommitmentLine
from domain.admin_questions import QuestionLine
from domain.charter_schema import MAX_QUESTION_TEXT, METRICS, QUESTION_KINDS

MAX_OPTIONS = 100


def text_input(
    name: str,
    label: str,
    *,
    initial: str | None = None,
    optional: bool = False,
    multiline: bool = False,
    max_length: int | None = None,
    hint: str | None = None,
) -> Block:
    """Return an input block holding a plain text input."""
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": INPUT}
    if initial:
        element["initial_value"] = initial[: max_length or 3000]
    if multiline:
        element["multiline"] = True
    if max_length:
        element["max_length"] = max_length
    return _input(name, label, element, optional=optional, hint=hint)


def select_input(
    name: str,
    label: str,
    options: Sequence[tuple[str, str]],
    *,
    initial: str | None = None,
    hint: str | None = None,
) -> Block:
    """Return an input block holding a menu of (value, text) options."""
    shown = [{"text": plain(text, 75), "value": value} for value, text in options[:MAX_OPTIONS]]
    element: dict[str, Any] = {"type": "static_select", "action_id": INPUT, "options": shown}
    chosen = next((option for option in shown if option["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return _input(name, label, element, hint=hint)


def users_input(name: str, label: str, *, initial: Sequence[str] = ()) -> Block:
    """Return an input block where people are picked from the workspace."""
    element: dict[str, Any] = {"type": "multi_users_select", "action_id": INPUT}
    if initial:
        element["initial_users"] = list(initial)
    return _input(name, label, element)


def _input(
    name: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": name,
        "label": plain(label, 2000),
        "element": element,
    }
    if optional:
        block["optional"] = True
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def modal(
    callback_id: str,
    title: str,
    blocks: list[Block],
    catalog: Catalog,
    locale: str | None,
    *,
    metadata: str = "",
    submit: str | None = None,
) -> dict[str, Any]:
    """Return a modal with Slack's 24-character chrome, submit and cancel buttons."""
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata[:3000],
        "title": plain(title, 24),
        "close": plain(catalog.t(locale, "admin.form.cancel"), 24),
        "blocks": blocks[:100],
    }
    view["submit"] = plain(submit or catalog.t(locale, "admin.form.save"), 24)
    return view


def build_commitment_modal(
    choices: CommitmentChoices,
    catalog: Catalog,
    locale: str | None,
    *,
    line: CommitmentLine | None = None,
) -> dict[str, Any]:
    """Return the form creating a commitment (with its first question), or editing `line`."""

    def t(key: str, **params: Any) -> str:
        return catalog.t(locale, f"admin.form.{key}", **params)

    listed = sorted(choices.services, key=lambda s: not (line and s[0] == line.service))
    # A menu holds 100 options: the edited commitment's own service comes first to stay in.
    services = [(COMMON_SERVICE, t("common"))] + [
        (code, f"{code} · {name}") for code, name in listed
    ]
    metrics = [(metric, catalog.t(locale, f"admin.metric.{metric}")) for metric in METRICS]
    blocks: list[Block] = []
    if line is None:
        blocks.append(text_input("code", t("code"), max_length=32, hint=t("code_hint")))
    else:
        blocks.append(context(t("editing", code=line.code)))
    threshold = None
    if line is not None:
        whole = line.threshold.is_integer()
        threshold = str(int(line.threshold)) if whole else format_number(line.threshold, locale)
    blocks += [
        select_input(
            "service",
            t("service"),
            services,
            initial=(line.service or COMMON_SERVICE) if line else None,
        ),
        text_input("title", t("title"), initial=line.title if line else None, max_length=300),
        text_input(
            "title_en",
            t("title_en"),
            initial=line.title_en if line else None,
            optional=True,
            max_length=300,
        ),
        select_input("metric", t("metric"), metrics, initial=line.metric if line else "csat"),
        text_input("threshold", t("threshold"), initial=threshold, hint=t("threshold_hint")),
        text_input(
            "min_responses",
            t("min_responses"),
            initial=str(line.min_responses if line else 5),
            hint=t("min_responses_hint"),
        ),
        text_input(
            "window_days",
            t("window_days"),
            initial=str(line.window_days if line else 30),
            hint=t("window_days_hint"),
        ),
        users_input("owners", t("owners"), initial=line.owners if line else ()),
    ]
    if line is None:
        kinds = [(kind, catalog.t(locale, f"admin.kind.{kind}")) for kind in BUTTON_KINDS]
        blocks += [
            context(t("first_question")),
            select_input("kind", t("kind"), kinds, initial="rating_5"),
            text_input("text_fr", t("text_fr"), max_length=MAX_QUESTION_TEXT),
            text_input("text_en", t("text_en"), max_length=MAX_QUESTION_TEXT),
        ]
        return modal(COMMITMENT_ADD_VIEW, t("add_title"), blocks, catalog, locale)
    return modal(COMMITMENT_EDIT_VIEW, t("edit_title"), blocks, catalog, locale, metadata=line.code)


def build_question_modal(
    commitment: str,
    catalog: Catalog,
    locale: str | None,
    *,
    question: QuestionLine | None = None,
) -> dict[str, Any]:
    """Return the form adding a question to `commitment`, or rewording `question`."""

    def t(key: str, **params: Any) -> str:
        return catalog.t(locale, f"admin.form.{key}", **params)

    blocks: list[Block] = []
    if question is None:
        blocks.append(context(t("adding", code=escape(commitment))))
        kinds = [(kind, catalog.t(locale, f"admin.kind.{kind}")) for kind in QUESTION_KINDS]
        blocks.append(select_input("kind", t("kind"), kinds, initial="rating_5"))
    else:
        kind = catalog.t(locale, f"admin.kind.{question.kind}")
        blocks.append(context(t("rewording", code=question.code, kind=kind)))
    blocks += [
        text_input(
            "text_fr",
            t("text_fr"),
            initial=question.text_fr if question else None,
            max_length=MAX_QUESTION_TEXT,
        ),
        text_input(
            "text_en",
            t("text_en"),
            initial=question.text_en if question else None,
            max_length=MAX_QUESTION_TEXT,
        ),
    ]
    if question is None:
        return modal(
            QUESTION_ADD_VIEW, t("question_add_title"), blocks, catalog, locale, metadata=commitment
        )
    return modal(
        QUESTION_EDIT_VIEW,
        t("question_edit_title"),
        blocks,
        catalog,
        locale,
        metadata=question.code,
    )
