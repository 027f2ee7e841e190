"""Check Block Kit block elements (buttons, menus, inputs, pickers, images)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

from bot.sandbox.composition import (
    ID_MAX,
    URL_MAX,
    Json,
    Problems,
    array,
    boolean,
    chosen_options,
    confirm,
    ident,
    integer,
    known_keys,
    obj,
    option_groups,
    options,
    string,
    style,
    text_object,
)

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_COMMON = frozenset({"type", "action_id", "confirm", "focus_on_load", "placeholder"})
_TEXT_INPUT = frozenset(
    {"type", "action_id", "initial_value", "dispatch_action_config", "focus_on_load", "placeholder"}
)
_MAX_SELECTED = 100


def _common(element: Json, path: str, out: Problems, allowed: frozenset[str]) -> None:
    known_keys(element, allowed, path, out)
    ident(element, "action_id", path, out)
    if "placeholder" in element:
        text_object(
            element["placeholder"], f"{path}.placeholder", out, max_len=150, plain_only=True
        )
    if "confirm" in element:
        confirm(element["confirm"], f"{path}.confirm", out)
    boolean(element, "focus_on_load", path, out)


def _button(element: Json, path: str, out: Problems) -> None:
    allowed = frozenset(
        {"type", "text", "action_id", "url", "value", "style", "confirm", "accessibility_label"}
    )
    _common(element, path, out, allowed)
    if "text" in element:
        text_object(element["text"], f"{path}.text", out, max_len=75, plain_only=True)
    else:
        out.add(f"{path}.text", "required")
    string(element, "value", path, out, max_len=2000)
    string(element, "url", path, out, max_len=URL_MAX)
    string(element, "accessibility_label", path, out, max_len=75, min_len=1)
    style(element, path, out)


def _static_select(many: bool) -> Callable[[Json, str, Problems], None]:
    def check(element: Json, path: str, out: Problems) -> None:
        extra = {"options", "option_groups", "initial_options" if many else "initial_option"}
        if many:
            extra.add("max_selected_items")
        _common(element, path, out, _COMMON | extra)
        if ("options" in element) == ("option_groups" in element):
            out.add(path, "needs exactly one of options or option_groups")
        available = (
            options(element["options"], f"{path}.options", out, max_items=100)
            if "options" in element
            else option_groups(element.get("option_groups"), f"{path}.option_groups", out)
        )
        key = "initial_options" if many else "initial_option"
        chosen_options(element, key, path, out, available, many=many)
        integer(element, "max_selected_items", path, out, low=1, high=_MAX_SELECTED)

    return check


def _picker_select(initial: str, many: bool, *extra: str) -> Callable[[Json, str, Problems], None]:
    def check(element: Json, path: str, out: Problems) -> None:
        allowed = _COMMON | {initial, *extra} | ({"max_selected_items"} if many else set())
        _common(element, path, out, frozenset(allowed))
        if many:
            array(element.get(initial, []), f"{path}.{initial}", out, max_items=100, min_items=0)
        else:
            string(element, initial, path, out, max_len=ID_MAX, min_len=1)
        integer(element, "max_selected_items", path, out, low=1, high=_MAX_SELECTED)
        boolean(element, "default_to_current_conversation", path, out)
        boolean(element, "response_url_enabled", path, out)

    return check


def _external_select(many: bool) -> Callable[[Json, str, Problems], None]:
    def check(element: Json, path: str, out: Problems) -> None:
        key = "initial_options" if many else "initial_option"
        extra = {key, "min_query_length"} | ({"max_selected_items"} if many else set())
        _common(element, path, out, _COMMON | extra)
        integer(element, "min_query_length", path, out, low=0, high=100)
        integer(element, "max_selected_items", path, out, low=1, high=_MAX_SELECTED)

    return check


def _overflow(element: Json, path: str, out: Problems) -> None:
    _common(element, path, out, frozenset({"type", "action_id", "options", "confirm"}))
    options(
        element.get("options"), f"{path}.options", out, max_items=5, min_items=2, allow_url=True
    )


def _choices(many: bool) -> Callable[[Json, str, Problems], None]:
    def check(element: Json, path: str, out: Problems) -> None:
        key = "initial_options" if many else "initial_option"
        allowed = frozenset({"type", "action_id", "options", key, "confirm", "focus_on_load"})
        _common(element, path, out, allowed)
        # Radio buttons and checkboxes are the menus whose option text may be mrkdwn.
        available = options(
            element.get("options"), f"{path}.options", out, max_items=10, plain_only=False
        )
        chosen_options(element, key, path, out, available, many=many)

    return check


def _datepicker(element: Json, path: str, out: Problems) -> None:
    _common(element, path, out, _COMMON | {"initial_date"})
    value = string(element, "initial_date", path, out, max_len=10)
    if value is not None:
        try:
            date.fromisoformat(value)
        except ValueError:
            out.add(f"{path}.initial_date", f"{value!r} is not YYYY-MM-DD")


def _timepicker(element: Json, path: str, out: Problems) -> None:
    _common(element, path, out, _COMMON | {"initial_time", "timezone"})
    value = string(element, "initial_time", path, out, max_len=5)
    if value is not None and not _TIME.match(value):
        out.add(f"{path}.initial_time", f"{value!r} is not HH:mm")
    string(element, "timezone", path, out, max_len=64)


def _datetimepicker(element: Json, path: str, out: Problems) -> None:
    _common(
        element,
        path,
        out,
        frozenset({"type", "action_id", "initial_date_time", "confirm", "focus_on_load"}),
    )
    integer(element, "initial_date_time", path, out, low=0, high=2**40)


def _plain_text_input(element: Json, path: str, out: Problems) -> None:
    _common(element, path, out, _TEXT_INPUT | {"multiline", "min_length", "max_length"})
    boolean(element, "multiline", path, out)
    integer(element, "min_length", path, out, low=0, high=3000)
    integer(element, "max_length", path, out, low=1, high=3000)
    low, high = element.get("min_length", 0), element.get("max_length", 3000)
    if isinstance(low, int) and isinstance(high, int):
        if low > high:
            out.add(path, f"min_length {low} > max_length {high}")
        string(element, "initial_value", path, out, max_len=high)


def _number_input(element: Json, path: str, out: Problems) -> None:
    allowed = _TEXT_INPUT | {"is_decimal_allowed", "min_value", "max_value"}
    _common(element, path, out, allowed)
    if not isinstance(element.get("is_decimal_allowed"), bool):
        out.add(f"{path}.is_decimal_allowed", "required boolean")
    for key in ("initial_value", "min_value", "max_value"):
        string(element, key, path, out, max_len=32)


def _text_input(element: Json, path: str, out: Problems) -> None:
    _common(element, path, out, _TEXT_INPUT)
    string(element, "initial_value", path, out, max_len=3000)


def _rich_text_input(element: Json, path: str, out: Problems) -> None:
    _common(element, path, out, _TEXT_INPUT)
    if "initial_value" in element:
        obj(element["initial_value"], f"{path}.initial_value", out)


def _file_input(element: Json, path: str, out: Problems) -> None:
    _common(element, path, out, frozenset({"type", "action_id", "filetypes", "max_files"}))
    integer(element, "max_files", path, out, low=1, high=10)


def image_element(element: Json, path: str, out: Problems) -> None:
    """Check an image element (also used inside context blocks)."""
    known_keys(element, frozenset({"type", "image_url", "slack_file", "alt_text"}), path, out)
    if ("image_url" in element) == ("slack_file" in element):
        out.add(path, "needs exactly one of image_url or slack_file")
    string(element, "image_url", path, out, max_len=URL_MAX, min_len=1)
    string(element, "alt_text", path, out, max_len=2000, required=True, min_len=1)


ELEMENT_CHECKS: Mapping[str, Callable[[Json, str, Problems], None]] = MappingProxyType(
    {
        "button": _button,
        "static_select": _static_select(many=False),
        "multi_static_select": _static_select(many=True),
        "external_select": _external_select(many=False),
        "multi_external_select": _external_select(many=True),
        "users_select": _picker_select("initial_user", False),
        "multi_users_select": _picker_select("initial_users", True),
        "conversations_select": _picker_select(
            "initial_conversation",
            False,
            "default_to_current_conversation",
            "response_url_enabled",
            "filter",
        ),
        "multi_conversations_select": _picker_select(
            "initial_conversations", True, "default_to_current_conversation", "filter"
        ),
        "channels_select": _picker_select("initial_channel", False, "response_url_enabled"),
        "multi_channels_select": _picker_select("initial_channels", True),
        "overflow": _overflow,
        "datepicker": _datepicker,
        "timepicker": _timepicker,
        "datetimepicker": _datetimepicker,
        "radio_buttons": _choices(many=False),
        "checkboxes": _choices(many=True),
        "plain_text_input": _plain_text_input,
        "number_input": _number_input,
        "email_text_input": _text_input,
        "url_text_input": _text_input,
        "rich_text_input": _rich_text_input,
        "file_input": _file_input,
        "image": image_element,
    }
)

_MENUS = frozenset(
    {
        "static_select",
        "multi_static_select",
        "external_select",
        "multi_external_select",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
    }
)
ACTIONS_ELEMENTS = _MENUS | {
    "button",
    "overflow",
    "datepicker",
    "timepicker",
    "datetimepicker",
    "radio_buttons",
    "checkboxes",
}
ACCESSORY_ELEMENTS = _MENUS | {
    "button",
    "overflow",
    "datepicker",
    "timepicker",
    "radio_buttons",
    "checkboxes",
    "image",
}
INPUT_ELEMENTS = _MENUS | {
    "plain_text_input",
    "number_input",
    "email_text_input",
    "url_text_input",
    "rich_text_input",
    "file_input",
    "datepicker",
    "timepicker",
    "datetimepicker",
    "radio_buttons",
    "checkboxes",
}


def element(value: Any, path: str, out: Problems, *, allowed: frozenset[str]) -> Json | None:
    """Check one element of a known type that the enclosing block accepts."""
    checked = obj(value, path, out)
    if checked is None:
        return None
    kind = checked.get("type")
    if not isinstance(kind, str) or kind not in ELEMENT_CHECKS:
        out.add(f"{path}.type", f"unknown element type {kind!r}")
        return None
    if kind not in allowed:
        out.add(f"{path}.type", f"{kind} is not allowed here")
        return None
    ELEMENT_CHECKS[kind](checked, path, out)
    return checked
