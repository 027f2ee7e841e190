"""Block Kit limits: each one in SLACK.md passes at the limit and fails just beyond."""

from __future__ import annotations

from collections.abc import Callable

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
    section,
    select,
    text_input,
)

from bot.sandbox import validate_message, validate_view

Case = tuple[str, Callable[[int], Payload], int, str]

# (name, build(n) -> message payload, the limit n, the violation expected at n + 1)
MESSAGE_LIMITS: list[Case] = [
    ("blocks per message", lambda n: msg(*[{"type": "divider"}] * n), 50, "blocks: 51 blocks > 50"),
    ("message text", lambda n: {"text": "x" * n}, 40_000, "text: 40001 chars > 40000"),
    ("section text", lambda n: msg(section("x" * n)), 3000, "blocks[0].text.text: 3001 chars"),
    (
        "section field count",
        lambda n: msg({"type": "section", "fields": [md("f")] * n}),
        10,
        "blocks[0].fields: 11 fields > 10",
    ),
    (
        "section field length",
        lambda n: msg({"type": "section", "fields": [md("x" * n)]}),
        2000,
        "blocks[0].fields[0].text: 2001 chars > 2000",
    ),
    (
        "header",
        lambda n: msg({"type": "header", "text": plain("x" * n)}),
        150,
        "blocks[0].text.text: 151 chars > 150",
    ),
    (
        "context elements",
        lambda n: msg({"type": "context", "elements": [md("c")] * n}),
        10,
        "blocks[0].elements: 11 elements > 10",
    ),
    (
        "actions elements",
        lambda n: msg(actions(*[button(f"a{i}", "b", "v") for i in range(n)])),
        25,
        "blocks[0].elements: 26 elements > 25",
    ),
    (
        "button text",
        lambda n: msg(actions(button("a", "x" * n, "v"))),
        75,
        "blocks[0].elements[0].text.text: 76 chars > 75",
    ),
    (
        "button value",
        lambda n: msg(actions(button("a", "b", "x" * n))),
        2000,
        "blocks[0].elements[0].value: 2001 chars > 2000",
    ),
    (
        "button url",
        lambda n: msg(actions(button("a", "b", "v", url="h" * n))),
        3000,
        "blocks[0].elements[0].url: 3001 chars > 3000",
    ),
    (
        "action_id",
        lambda n: msg(actions(button("a" * n, "b", "v"))),
        255,
        "blocks[0].elements[0].action_id: 256 chars > 255",
    ),
    ("block_id", lambda n: msg(section(block_id="b" * n)), 255, "blocks[0].block_id: 256 chars"),
    (
        "select options",
        lambda n: msg(actions(select(options=options(n)))),
        100,
        "blocks[0].elements[0].options: 101 options > 100",
    ),
    (
        "option text",
        lambda n: msg(actions(select(options=options(2, text_len=n)))),
        75,
        "blocks[0].elements[0].options[0].text.text: 76 chars > 75",
    ),
    (
        "option value",
        lambda n: msg(actions(select(options=options(2, value_len=n)))),
        150,
        "blocks[0].elements[0].options[0].value: 151 chars > 150",
    ),
    (
        "radio buttons",
        lambda n: msg(
            actions({"type": "radio_buttons", "action_id": "r", "options": options(n, rich=True)})
        ),
        10,
        "blocks[0].elements[0].options: 11 options > 10",
    ),
    (
        "checkboxes",
        lambda n: msg(actions({"type": "checkboxes", "action_id": "c", "options": options(n)})),
        10,
        "blocks[0].elements[0].options: 11 options > 10",
    ),
    (
        "overflow",
        lambda n: msg(actions({"type": "overflow", "action_id": "o", "options": options(n)})),
        5,
        "blocks[0].elements[0].options: 6 options > 5",
    ),
    (
        "placeholder",
        lambda n: msg(actions(select(placeholder=plain("x" * n)))),
        150,
        "blocks[0].elements[0].placeholder.text: 151 chars > 150",
    ),
]

VIEW_LIMITS: list[Case] = [
    ("modal blocks", lambda n: modal(*[{"type": "divider"}] * n), 100, "blocks: 101 blocks > 100"),
    (
        "home blocks",
        lambda n: {"type": "home", "blocks": [{"type": "divider"}] * n},
        100,
        "blocks: 101 blocks > 100",
    ),
    ("modal title", lambda n: modal(title=plain("x" * n)), 24, "title.text: 25 chars > 24"),
    ("modal submit", lambda n: modal(submit=plain("x" * n)), 24, "submit.text: 25 chars > 24"),
    ("modal close", lambda n: modal(close=plain("x" * n)), 24, "close.text: 25 chars > 24"),
    (
        "private_metadata",
        lambda n: modal(private_metadata="x" * n),
        3000,
        "private_metadata: 3001 chars > 3000",
    ),
    ("callback_id", lambda n: modal(callback_id="x" * n), 255, "callback_id: 256 chars > 255"),
    (
        "input label",
        lambda n: modal(text_input("x" * n)),
        2000,
        "blocks[0].label.text: 2001 chars > 2000",
    ),
]


@pytest.mark.parametrize(("name", "build", "limit", "problem"), MESSAGE_LIMITS)
def test_message_limits(
    name: str, build: Callable[[int], Payload], limit: int, problem: str
) -> None:
    assert validate_message(build(limit)) == [], name
    problems = validate_message(build(limit + 1))
    assert any(p.startswith(problem) for p in problems), problems


@pytest.mark.parametrize(("name", "build", "limit", "problem"), VIEW_LIMITS)
def test_view_limits(name: str, build: Callable[[int], Payload], limit: int, problem: str) -> None:
    assert validate_view(build(limit)) == [], name
    problems = validate_view(build(limit + 1))
    assert any(p.startswith(problem) for p in problems), problems


def test_view_must_stay_under_250_kb() -> None:
    def big(blocks: int) -> Payload:
        return {"type": "home", "blocks": [section("é" * 1500) for _ in range(blocks)]}

    assert validate_view(big(75)) == []
    [problem] = validate_view(big(90))
    assert problem.startswith("view: ")
    assert "bytes >= 250000" in problem


def test_overflow_needs_at_least_two_options() -> None:
    one = msg(actions({"type": "overflow", "action_id": "o", "options": options(1)}))
    assert validate_message(one) == ["blocks[0].elements[0].options: 1 options < 2"]


@given(st.integers(min_value=0, max_value=4000))
def test_section_text_is_valid_exactly_up_to_3000(length: int) -> None:
    problems = validate_message(msg(section("a" * length)))
    assert (problems == []) == (1 <= length <= 3000)


@given(st.text(min_size=0, max_size=120))
def test_button_text_is_valid_exactly_from_1_to_75_chars(text: str) -> None:
    problems = validate_message(msg(actions(button("a", text, "v"))))
    assert (problems == []) == (1 <= len(text) <= 75)
