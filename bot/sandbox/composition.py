"""Check Block Kit composition objects (text, options, confirm) and primitive fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Json = Mapping[str, Any]

TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
ID_MAX = 255
URL_MAX = 3000


@dataclass(frozen=True)
class Problem:
    """One violation and where it is, e.g. `blocks[3].text.text`."""

    path: str
    message: str

    def __str__(self) -> str:
        """Render as `path: message`."""
        return f"{self.path}: {self.message}"


class Problems:
    """Collect the problems of one payload."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        """Record a problem at `path`."""
        self.items.append(Problem(path, message))


def at(path: str, key: str) -> str:
    """Return the path of field `key` under `path` ("" is the payload's root)."""
    return f"{path}.{key}" if path else key


def obj(value: Any, path: str, out: Problems) -> Json | None:
    """Return `value` when it is a JSON object, else record why not."""
    if isinstance(value, Mapping):
        return value
    out.add(path, f"must be an object, got {type(value).__name__}")
    return None


def array(
    value: Any, path: str, out: Problems, *, max_items: int, min_items: int = 1, noun: str = "items"
) -> Sequence[Any]:
    """Return `value` when it is a list within bounds, recording any violation."""
    if not isinstance(value, list):
        out.add(path, f"must be an array, got {type(value).__name__}")
        return []
    if len(value) < min_items:
        out.add(path, f"{len(value)} {noun} < {min_items}")
    if len(value) > max_items:
        out.add(path, f"{len(value)} {noun} > {max_items}")
    return value


def known_keys(value: Json, allowed: frozenset[str], path: str, out: Problems) -> None:
    """Record fields Slack does not know (typos like `action-id` are rejected by Slack)."""
    for key in value:
        if key not in allowed:
            out.add(at(path, key), "unknown field")


def string(
    value: Json,
    key: str,
    path: str,
    out: Problems,
    *,
    max_len: int,
    required: bool = False,
    min_len: int = 0,
) -> str | None:
    """Check an optional or required string field's type and length."""
    where = at(path, key)
    if key not in value:
        if required:
            out.add(where, "required")
        return None
    text = value[key]
    if not isinstance(text, str):
        out.add(where, f"must be a string, got {type(text).__name__}")
        return None
    if len(text) > max_len:
        out.add(where, f"{len(text)} chars > {max_len}")
    if len(text) < min_len:
        out.add(where, f"{len(text)} chars < {min_len}")
    return text


def boolean(value: Json, key: str, path: str, out: Problems) -> None:
    """Check an optional boolean field."""
    if key in value and not isinstance(value[key], bool):
        out.add(at(path, key), "must be a boolean")


def integer(value: Json, key: str, path: str, out: Problems, *, low: int, high: int) -> None:
    """Check an optional integer field within bounds."""
    if key not in value:
        return
    number = value[key]
    if not isinstance(number, int) or isinstance(number, bool):
        out.add(at(path, key), "must be an integer")
    elif not low <= number <= high:
        out.add(at(path, key), f"{number} outside {low}..{high}")


def text_object(
    value: Any, path: str, out: Problems, *, max_len: int, plain_only: bool = False
) -> None:
    """Check a text object: type, non-empty text within `max_len`, type-specific flags."""
    text = obj(value, path, out)
    if text is None:
        return
    kind = text.get("type")
    if not isinstance(kind, str) or kind not in TEXT_TYPES:
        out.add(f"{path}.type", f"must be plain_text or mrkdwn, got {kind!r}")
        return
    if plain_only and kind != "plain_text":
        out.add(f"{path}.type", f"must be plain_text here, got {kind}")
    flag = "emoji" if kind == "plain_text" else "verbatim"
    known_keys(text, frozenset({"type", "text", flag}), path, out)
    string(text, "text", path, out, max_len=max_len, required=True, min_len=1)
    boolean(text, flag, path, out)


def ident(value: Json, key: str, path: str, out: Problems, *, required: bool = False) -> None:
    """Check an action_id / block_id / callback_id style identifier (255 chars)."""
    string(value, key, path, out, max_len=ID_MAX, required=required, min_len=1)


def option(
    value: Any,
    path: str,
    out: Problems,
    *,
    plain_only: bool = True,
    allow_url: bool = False,
    allow_description: bool = True,
) -> Json | None:
    """Check one option object: text 75, value 150, description 75, url 3,000."""
    opt = obj(value, path, out)
    if opt is None:
        return None
    allowed = {"text", "value"}
    if allow_description:
        allowed.add("description")
    if allow_url:
        allowed.add("url")
    known_keys(opt, frozenset(allowed), path, out)
    if "text" in opt:
        text_object(opt["text"], f"{path}.text", out, max_len=75, plain_only=plain_only)
    else:
        out.add(f"{path}.text", "required")
    string(opt, "value", path, out, max_len=150, required=True, min_len=1)
    if "description" in opt and allow_description:
        text_object(opt["description"], f"{path}.description", out, max_len=75, plain_only=True)
    string(opt, "url", path, out, max_len=URL_MAX)
    return opt


def options(
    value: Any,
    path: str,
    out: Problems,
    *,
    max_items: int,
    min_items: int = 1,
    plain_only: bool = True,
    allow_url: bool = False,
) -> list[Json]:
    """Check a list of options and return the well-formed ones."""
    checked: list[Json] = []
    listed = array(value, path, out, max_items=max_items, min_items=min_items, noun="options")
    for index, item in enumerate(listed):
        opt = option(item, f"{path}[{index}]", out, plain_only=plain_only, allow_url=allow_url)
        if opt is not None:
            checked.append(opt)
    return checked


def option_groups(value: Any, path: str, out: Problems) -> list[Json]:
    """Check option_groups (100 groups, label 75, 100 options each) and return all options."""
    found: list[Json] = []
    groups = array(value, path, out, max_items=100, noun="option groups")
    for index, item in enumerate(groups):
        where = f"{path}[{index}]"
        group = obj(item, where, out)
        if group is None:
            continue
        known_keys(group, frozenset({"label", "options"}), where, out)
        if "label" in group:
            text_object(group["label"], f"{where}.label", out, max_len=75, plain_only=True)
        else:
            out.add(f"{where}.label", "required")
        found.extend(options(group.get("options"), f"{where}.options", out, max_items=100))
    return found


def _same_option(left: Json, right: Json) -> bool:
    return left.get("value") == right.get("value") and left.get("text") == right.get("text")


def chosen_options(
    element: Json, key: str, path: str, out: Problems, available: Sequence[Json], *, many: bool
) -> None:
    """Check that initial_option(s) are among the element's options, as Slack requires."""
    if key not in element:
        return
    picked = element[key]
    listed = picked if many else [picked]
    if many and not isinstance(picked, list):
        out.add(at(path, key), "must be an array")
        return
    for index, item in enumerate(listed):
        where = f"{at(path, key)}[{index}]" if many else at(path, key)
        opt = option(item, where, out, plain_only=False)
        if opt is not None and not any(_same_option(opt, known) for known in available):
            out.add(where, "must be one of the element's options (same text and value)")


def confirm(value: Any, path: str, out: Problems) -> None:
    """Check a confirmation dialog object."""
    dialog = obj(value, path, out)
    if dialog is None:
        return
    known_keys(dialog, frozenset({"title", "text", "confirm", "deny", "style"}), path, out)
    for key, limit in (("title", 100), ("confirm", 30), ("deny", 30)):
        if key in dialog:
            text_object(dialog[key], at(path, key), out, max_len=limit, plain_only=True)
        else:
            out.add(at(path, key), "required")
    if "text" in dialog:
        text_object(dialog["text"], f"{path}.text", out, max_len=300)
    else:
        out.add(f"{path}.text", "required")
    style(dialog, path, out)


def style(value: Json, path: str, out: Problems) -> None:
    """Check an optional style: only primary or danger exist."""
    if "style" in value and value["style"] not in ("primary", "danger"):
        out.add(f"{path}.style", f"must be primary or danger, got {value['style']!r}")
