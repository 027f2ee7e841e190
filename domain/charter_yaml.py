"""Read a charter file into a CharterSpec (every error with its line) and write one back."""

from __future__ import annotations

import difflib
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from domain.charter_checks import Path, raw_problems, render_path
from domain.charter_schema import (
    CharterSpec,
    CommitmentSpec,
    Defaults,
    LocalizedText,
    OwnerSpec,
    QuestionSpec,
    ServiceSpec,
)
from domain.errors import InvalidInput

# The model that reads each section, keyed by the section's path without list indexes.
_SECTIONS: dict[tuple[str, ...], type[Any]] = {
    (): CharterSpec,
    ("defaults",): Defaults,
    ("owners",): OwnerSpec,
    ("services",): ServiceSpec,
    ("commitments",): CommitmentSpec,
    ("commitments", "questions"): QuestionSpec,
    ("commitments", "questions", "text"): LocalizedText,
}
_NEEDED = "version, services and commitments"


class CharterInvalid(InvalidInput):
    """The charter file has errors; `errors` lists each as `file:line: field.path: reason`."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class _Loader(yaml.SafeLoader):
    """A safe loader that refuses aliases, so every value has exactly one line."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (*name) are not supported in a charter", mark
            )
        return super().compose_node(parent, index)


def parse_charter(text: str, *, filename: str = "charter.yaml") -> CharterSpec:
    """Read a charter file, or raise CharterInvalid listing every error with its line."""
    try:
        node, data = _load(text)
    except yaml.YAMLError as exc:
        raise CharterInvalid([f"{filename}:{_syntax_error(exc, text)}"]) from None
    if node is None:
        raise CharterInvalid([f"{filename}:1: (top): the file is empty: it needs {_NEEDED}"])
    lines: dict[Path, int] = {(): node.start_mark.line + 1}
    found: list[tuple[int, str]] = []
    _index(node, (), lines, found)
    try:
        spec = CharterSpec.model_validate(data, context={"cross_checked": True})
    except ValidationError as exc:
        spec = None
        for error in exc.errors():
            path = tuple(error["loc"])
            found.append((_line(lines, path), f"{render_path(path)}: {_reason(error, path)}"))
    for path, why in raw_problems(data):
        found.append((_line(lines, path), f"{render_path(path)}: {why}"))
    if found or spec is None:
        ordered = sorted(dict.fromkeys(found), key=lambda item: item[0])
        raise CharterInvalid([f"{filename}:{line}: {message}" for line, message in ordered])
    return spec


def _syntax_error(exc: yaml.YAMLError, text: str) -> str:
    """Return `line: yaml: problem` for an error PyYAML raised while reading."""
    if isinstance(exc, yaml.reader.ReaderError):
        # a character YAML refuses (a NUL, say) is reported by offset, not by line
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return f"{line}: yaml: character U+{code:04X} is not allowed"
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    return f"{line}: yaml: {problem} ({context})" if context else f"{line}: yaml: {problem}"


def _load(text: str) -> tuple[yaml.Node | None, Any]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def _index(
    node: yaml.Node, path: Path, lines: dict[Path, int], found: list[tuple[int, str]]
) -> None:
    """Record the line of every key and list item, and report keys given twice."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            child = (*path, key_node.value)
            line = key_node.start_mark.line + 1
            if child in lines:
                found.append((line, f"{render_path(child)}: is given twice"))
                continue
            lines[child] = line
            _index(value_node, child, lines, found)
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            child = (*path, position)
            lines[child] = item.start_mark.line + 1
            _index(item, child, lines, found)


def _line(lines: dict[Path, int], path: Path) -> int:
    """Return the line of `path`, or of its nearest written ancestor when it is missing."""
    for end in range(len(path), -1, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return 1


def _reason(error: ErrorDetails, path: Path) -> str:
    """Say what is wrong with a field in words an administrator reads easily."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx", {})
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return _unknown_field(path)
    if kind == "value_error":
        return str(ctx["error"])
    if kind == "literal_error":
        return f"must be {ctx['expected']} (not {value!r})"
    if kind == "string_type" and isinstance(value, bool):
        return "must be text: quote it, since YAML reads an unquoted yes/no/on/off as true/false"
    messages = {
        "string_type": "must be text",
        "int_type": "must be a whole number",
        "float_type": "must be a number",
        "finite_number": "must be a finite number",
        "bool_type": "must be true or false",
        "model_type": "must be a mapping (key: value lines)",
        "dict_type": "must be a mapping (key: value lines)",
        "tuple_type": "must be a list",
    }
    if kind in messages:
        return messages[kind]
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}"
    return str(error["msg"])


def _unknown_field(path: Path) -> str:
    section = tuple(part for part in path[:-1] if isinstance(part, str))
    model = _SECTIONS.get(section)
    field = str(path[-1])
    if model is None:
        return "is not a known field"
    close = difflib.get_close_matches(field, list(model.model_fields), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"is not a known field{hint}"


class _Flow(list[str]):
    """A short list written on one line, `[U0RH0QUAL, U0SGQUAL]`."""


class _Dumper(yaml.SafeDumper):
    """A dumper that indents lists under their key, as people write them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_Dumper.add_representer(
    _Flow, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, True)
)


def dump_charter(spec: CharterSpec) -> str:
    """Write a charter as the YAML an administrator would, French text kept readable."""
    document: dict[str, Any] = {
        "version": spec.version,
        "defaults": {"digest_schedule": spec.defaults.digest_schedule},
        "owners": [{"user": o.user, "schedule": o.schedule} for o in spec.owners],
        "services": [_service(service) for service in spec.services],
        "commitments": [_commitment(commitment) for commitment in spec.commitments],
    }
    body = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return "# Écoute service charter: load it with `ecoute charter load FILE`.\n" + body


def _service(service: ServiceSpec) -> dict[str, Any]:
    entry: dict[str, Any] = {"code": service.code, "name": service.name}
    if service.name_en is not None:
        entry["name_en"] = service.name_en
    entry["owners"] = _Flow(service.owners)
    if service.channel is not None:
        entry["channel"] = service.channel
    delay: str | int = 0 if service.delay == "0" else service.delay
    entry.update(
        delay=delay,
        sampling=service.sampling,
        working_hours=service.working_hours,
        holidays=service.holidays,
    )
    if service.settled_check:
        entry["settled_check"] = True
    return entry


def _commitment(commitment: CommitmentSpec) -> dict[str, Any]:
    threshold = commitment.threshold
    entry: dict[str, Any] = {
        "code": commitment.code,
        "service": commitment.service,
        "title": commitment.title,
    }
    if commitment.title_en is not None:
        entry["title_en"] = commitment.title_en
    entry.update(
        metric=commitment.metric,
        threshold=int(threshold) if threshold.is_integer() else threshold,
        min_responses=commitment.min_responses,
        window_days=commitment.window_days,
        owners=_Flow(commitment.owners),
        questions=[_question(question) for question in commitment.questions],
    )
    return entry


def _question(question: QuestionSpec) -> dict[str, Any]:
    return {
        "code": question.code,
        "kind": question.kind,
        "text": {"fr": question.text.fr, "en": question.text.en},
        "position": question.position,
        "active": question.active,
    }
