"""The pulse a beneficiary receives: one question at a time, one click per answer."""

from __future__ import annotations

from typing import Any

from bot.blocks.base import Block, Message, button, context, escape, plain, section
from bot.blocks.ids import (
    ANSWER_ACTION_PREFIX,
    COMMENT_ACTION,
    COMMENT_BLOCK,
    COMMENT_INPUT,
    COMMENT_VIEW,
    OPT_IN_ACTION,
    OPT_OUT_ACTION,
    PULSE_METADATA_TYPE,
    SETTLED_NO,
    SETTLED_YES,
    answer_value,
)
from bot.i18n import Catalog
from domain.lifecycle import Reminder
from domain.pulse_view import SCALES, PulseView, QuestionView, localized

FACES = {1: "😞", 2: "🙁", 3: "😐", 4: "🙂", 5: "😀"}


def pulse_metadata(pulse_id: int) -> dict[str, Any]:
    """Return the message metadata that lets an in-doubt send be found again."""
    return {"event_type": PULSE_METADATA_TYPE, "event_payload": {"pulse_id": pulse_id}}


def _intro(view: PulseView, catalog: Catalog) -> Block:
    lines = [catalog.t(view.locale, "pulse.intro", service=escape(view.service_name))]
    if view.reference or view.summary:
        detail = " — ".join(escape(part) for part in (view.reference, view.summary) if part)
        lines.append(f"> {detail}")
    block = section("\n".join(lines))
    # "Stop asking me" sits on every pulse, one click away but out of the answers' way.
    block["accessory"] = {
        "type": "overflow",
        "action_id": OPT_OUT_ACTION,
        "options": [
            {
                "text": plain(catalog.t(view.locale, "pulse.opt_out"), 75),
                "value": f"opt_out:{view.locale}",
            },
            {
                "text": plain(catalog.t(view.locale, "pulse.why_me"), 75),
                "value": f"why:{view.locale}",
            },
        ],
    }
    return block


def _choices(view: PulseView, question: QuestionView, catalog: Catalog) -> list[dict[str, Any]]:
    def label(value: int) -> str:
        if question.kind == "rating_5":
            return f"{FACES[value]} {value}"
        if question.kind == "yes_no":
            return catalog.t(view.locale, "pulse.answer_yes" if value else "pulse.answer_no")
        return str(value)

    return [
        button(
            label(value),
            action_id=f"{ANSWER_ACTION_PREFIX}{value}",
            value=answer_value(view.pulse_id, question.id, value),
        )
        for value in SCALES[question.kind]
    ]


def build_pulse_question(view: PulseView, index: int, catalog: Catalog) -> Message:
    """Return the pulse showing question `index` with one button per choice."""
    question = view.questions[index]
    total = len(view.questions)
    blocks: list[Block] = [
        _intro(view, catalog),
        section(f"*{escape(question.text)}*", block_id=f"q{question.id}"),
        {
            "type": "actions",
            "block_id": f"a{question.id}",
            "elements": _choices(view, question, catalog),
        },
    ]
    hint_key = f"pulse.hint.{question.kind}"
    hints = [catalog.t(view.locale, "pulse.progress", current=index + 1, total=total)]
    if question.kind in ("nps_10", "effort_7"):
        hints.append(catalog.t(view.locale, hint_key))
    hints.append(catalog.t(view.locale, "pulse.anonymous"))
    blocks.append(context(*hints))
    text = catalog.t(
        view.locale, "pulse.fallback", service=view.service_name, question=question.text
    )
    return Message(text=text, blocks=blocks)


def build_first_message(view: PulseView, catalog: Catalog) -> Message:
    """Return what a pulse opens with: the settled check if the service asks it, else question 1."""
    if view.ask_settled:
        return build_settled_question(view, catalog)
    return build_pulse_question(view, 0, catalog)


def build_settled_question(view: PulseView, catalog: Catalog) -> Message:
    """Return the optional first step: is the request really settled?"""
    question = catalog.t(view.locale, "pulse.settled_question")
    buttons = [
        button(
            catalog.t(view.locale, "pulse.settled_yes"),
            action_id=SETTLED_YES,
            value=str(view.pulse_id),
            style="primary",
        ),
        button(
            catalog.t(view.locale, "pulse.settled_no"),
            action_id=SETTLED_NO,
            value=str(view.pulse_id),
        ),
    ]
    blocks: list[Block] = [
        _intro(view, catalog),
        section(f"*{question}*", block_id="settled"),
        {"type": "actions", "block_id": "settled_answer", "elements": buttons},
        context(catalog.t(view.locale, "pulse.anonymous")),
    ]
    text = catalog.t(view.locale, "pulse.fallback", service=view.service_name, question=question)
    return Message(text=text, blocks=blocks)


def build_unsettled_thanks(view: PulseView, catalog: Catalog) -> Message:
    """Return what replaces the pulse after "not yet": the service has been told."""
    text = catalog.t(view.locale, "pulse.unsettled_thanks", service=escape(view.service_name))
    return Message(text=text, blocks=[_intro(view, catalog), section(text)])


def build_pulse_thanks(view: PulseView, catalog: Catalog) -> Message:
    """Return the thank-you that replaces the last question, offering a comment."""
    thanks = catalog.t(view.locale, "pulse.thanks")
    blocks: list[Block] = [_intro(view, catalog), section(thanks)]
    if view.commented:
        blocks.append(context(catalog.t(view.locale, "pulse.comment_saved")))
    else:
        blocks.append(
            {
                "type": "actions",
                "block_id": "comment",
                "elements": [
                    button(
                        catalog.t(view.locale, "pulse.add_comment"),
                        action_id=COMMENT_ACTION,
                        value=str(view.pulse_id),
                    )
                ],
            }
        )
    return Message(text=thanks, blocks=blocks)


def build_reminder(reminder: Reminder, catalog: Catalog) -> Message:
    """Return the one reminder, posted under the pulse it is about."""
    name = localized(reminder.locale, reminder.service_name, reminder.service_name_en)
    text = catalog.t(reminder.locale, "pulse.reminder", service=name)
    return Message(text=text, blocks=[section(text)])


def build_opt_out_done(locale: str, catalog: Catalog, *, opted_out: bool) -> Message:
    """Return the ephemeral confirmation of an opt-out (with undo) or of its undoing."""
    if not opted_out:
        text = catalog.t(locale, "pulse.opt_in_done")
        return Message(text=text, blocks=[section(text)])
    text = catalog.t(locale, "pulse.opt_out_done")
    undo = button(catalog.t(locale, "pulse.opt_out_undo"), action_id=OPT_IN_ACTION, value=locale)
    return Message(
        text=text,
        blocks=[section(text), {"type": "actions", "block_id": "opt_in", "elements": [undo]}],
    )


def build_pulse_closed(locale: str, catalog: Catalog) -> Message:
    """Return the notice that replaces a pulse whose window has closed."""
    text = catalog.t(locale, "pulse.closed")
    return Message(text=text, blocks=[section(text)])


def build_comment_modal(view: PulseView, catalog: Catalog) -> dict[str, Any]:
    """Return the modal in which the recipient writes a comment."""
    label = view.comment_prompt or catalog.t(view.locale, "pulse.comment_label")
    return {
        "type": "modal",
        "callback_id": COMMENT_VIEW,
        "private_metadata": str(view.pulse_id),
        "title": plain(catalog.t(view.locale, "pulse.comment_title"), 24),
        "submit": plain(catalog.t(view.locale, "pulse.comment_submit"), 24),
        "close": plain(catalog.t(view.locale, "pulse.comment_close"), 24),
        "blocks": [
            {
                "type": "input",
                "block_id": COMMENT_BLOCK,
                "label": plain(label, 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": COMMENT_INPUT,
                    "multiline": True,
                    "max_length": 3000,
                    "placeholder": plain(catalog.t(view.locale, "pulse.comment_placeholder"), 150),
                },
                "hint": plain(catalog.t(view.locale, "pulse.comment_hint"), 2000),
            }
        ],
    }
