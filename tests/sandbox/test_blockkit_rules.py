"""Block Kit rules beyond lengths: types, text kinds, ids, surfaces; robust to garbage."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sandbox_helpers import (
    Payload,
    actions,
    button,
    md,
    modal,
    msg,
    options,
    plain,
    pulse_blocks,
    section,
    select,
    text_input,
)

from bot.sandbox import validate_message, validate_view


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (msg({"type": "header", "text": md("x")}), "blocks[0].text.type: must be plain_text here"),
        (
            msg(actions(select(options=options(2, rich=True)))),
            "options[0].text.type: must be plain",
        ),
        (
            msg(actions(button("a", "b", "v", style="secondary"))),
            "style: must be primary or danger",
        ),
        (msg(section(), section(block_id="x"), section(block_id="x")), "duplicate block_id 'x'"),
        (msg(actions(button("a", "1", "1"), button("a", "2", "2"))), "duplicate action_id 'a'"),
        (msg(text_input()), "blocks[0].type: input blocks are only allowed in modals"),
        (msg({"type": "video"}), "blocks[0].type: unknown block type 'video'"),
        (msg(actions({"type": "slider", "action_id": "s"})), "unknown element type 'slider'"),
        (
            msg(actions({"type": "plain_text_input", "action_id": "t"})),
            "plain_text_input is not allowed here",
        ),
        (msg(actions({**button("a", "b", "v"), "action-id": "x"})), "action-id: unknown field"),
        (msg(section(""), text="x"), "blocks[0].text.text: 0 chars < 1"),
        (msg({"type": "section"}), "blocks[0]: needs text or fields"),
        (
            msg(actions(select(initial_option={"text": plain("zz"), "value": "zz"}))),
            "initial_option: must be one of the element's options",
        ),
        (
            msg(actions(select(option_groups=[{"label": plain("G"), "options": options(2)}]))),
            "needs exactly one of options or option_groups",
        ),
        (
            msg(actions({"type": "datepicker", "action_id": "d", "initial_date": "01/02/2025"})),
            "initial_date: '01/02/2025' is not YYYY-MM-DD",
        ),
        (msg(section(), text=""), "text: missing plain-text fallback"),
        ({"blocks": pulse_blocks()}, "text: missing plain-text fallback"),
        (msg({"type": "image", "image_url": "https://x/y.png"}), "blocks[0].alt_text: required"),
        (
            msg(section(accessory={"type": "image", "image_url": "https://x", "alt_text": "x"})),
            "",
        ),
    ],
)
def test_message_rules(payload: Payload, problem: str) -> None:
    problems = validate_message(payload)
    if not problem:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_valid_rich_message_passes() -> None:
    grouped = select(
        options=None,
        option_groups=[
            {"label": plain("Services"), "options": options(3)},
            {"label": plain("Autres"), "options": options(2, value_len=6)},
        ],
    )
    del grouped["options"]
    chosen = options(3)[1]
    payload = msg(
        {"type": "header", "text": plain("Votre avis compte")},
        section("*Question*", accessory=select(initial_option=chosen)),
        {"type": "section", "fields": [md("*A*"), plain("B")]},
        {"type": "divider"},
        {
            "type": "context",
            "elements": [
                md("_c_"),
                {"type": "image", "image_url": "https://x", "alt_text": "logo"},
            ],
        },
        actions(
            button("yes", "Oui", "1", style="primary"),
            button(
                "no",
                "Non",
                "0",
                style="danger",
                confirm={
                    "title": plain("Sûr ?"),
                    "text": md("Vraiment ?"),
                    "confirm": plain("Oui"),
                    "deny": plain("Non"),
                },
            ),
            grouped,
            {"type": "overflow", "action_id": "more", "options": options(2)},
            {
                "type": "checkboxes",
                "action_id": "c",
                "options": options(2, rich=True),
                "initial_options": options(1, rich=True),
            },
            {"type": "timepicker", "action_id": "t", "initial_time": "09:30"},
        ),
        {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": []}]},
        *pulse_blocks(),
    )
    assert validate_message(payload) == []


def test_modal_rules() -> None:
    assert validate_view(modal(text_input())) == []
    no_submit = modal(text_input())
    del no_submit["submit"]
    assert validate_view(no_submit) == ["submit: required when the modal has input blocks"]
    assert validate_view(modal(title=md("T"))) == [
        "title.type: must be plain_text here, got mrkdwn"
    ]
    no_title = modal()
    del no_title["title"]
    assert validate_view(no_title) == ["title: required"]
    assert validate_view({"type": "dialog"}) == ["type: must be modal or home, got 'dialog'"]
    home_with_title = {"type": "home", "blocks": [], "title": plain("x")}
    assert validate_view(home_with_title) == ["title: unknown field"]
    label = modal(text_input())
    label["blocks"][0]["label"] = md("x")
    assert validate_view(label) == ["blocks[0].label.type: must be plain_text here, got mrkdwn"]
    lengths = modal(text_input(min_length=10, max_length=5))
    assert validate_view(lengths) == ["blocks[0].element: min_length 10 > max_length 5"]
    number = modal({**text_input(), "element": {"type": "number_input", "action_id": "n"}})
    assert validate_view(number) == ["blocks[0].element.is_decimal_allowed: required boolean"]


KEYS = st.sampled_from(["type", "text", "value", "options", "elements", "label"]) | st.text(
    max_size=4
)
SCALARS = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)
# Text objects and options whose parts are garbage: where a careless validator would crash.
TEXTISH = st.fixed_dictionaries(
    {"type": st.sampled_from(["plain_text", "mrkdwn"]) | JSON},
    optional={"text": JSON, "emoji": JSON, "verbatim": JSON},
)
OPTIONISH = st.lists(
    st.fixed_dictionaries({"text": TEXTISH, "value": JSON}, optional={"description": TEXTISH}),
    max_size=3,
)
ELEMENTISH = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            [
                "button",
                "static_select",
                "multi_static_select",
                "overflow",
                "checkboxes",
                "radio_buttons",
                "plain_text_input",
                "datepicker",
                "timepicker",
                "image",
                "x",
            ]
        )
        | JSON
    },
    optional={
        "text": TEXTISH,
        "options": OPTIONISH | JSON,
        "option_groups": st.lists(
            st.fixed_dictionaries({"label": TEXTISH, "options": OPTIONISH}), max_size=2
        ),
        "initial_option": OPTIONISH | JSON,
        "initial_options": OPTIONISH | JSON,
        "placeholder": TEXTISH,
        "confirm": st.fixed_dictionaries({"title": TEXTISH, "text": TEXTISH}) | JSON,
        "action_id": JSON,
        "style": JSON,
        "min_length": JSON,
        "max_length": JSON,
        "initial_date": JSON,
        "initial_time": JSON,
    },
)
BLOCKISH = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            [
                "section",
                "actions",
                "context",
                "header",
                "input",
                "image",
                "rich_text",
                "file",
                "divider",
                "nope",
            ]
        )
    },
    optional={
        "text": JSON,
        "fields": JSON,
        "elements": st.lists(
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(
                        ["button", "static_select", "overflow", "checkboxes", "image", "x"]
                    )
                },
                optional={"text": JSON, "options": JSON, "initial_option": JSON, "action_id": JSON},
            ),
            max_size=3,
        ),
        "element": JSON,
        "label": JSON,
        "accessory": JSON,
        "block_id": JSON,
    },
)


@given(st.lists(BLOCKISH, max_size=4), JSON)
def test_the_validator_never_crashes_on_garbage(blocks: list[Payload], text: Any) -> None:
    assert isinstance(validate_message({"text": text, "blocks": blocks}), list)
    assert isinstance(validate_view({"type": "modal", "blocks": blocks, "title": text}), list)
    assert isinstance(validate_view({"type": "home", "blocks": text}), list)


def test_every_problem_names_a_path() -> None:
    payload = msg(actions(button("a", "x" * 81, "v")))
    assert validate_message(payload) == ["blocks[0].elements[0].text.text: 81 chars > 75"]
    assert json.dumps(validate_message(payload))
