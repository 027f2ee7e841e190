"""The rules that tie a charter's parts together: unique codes, known services, fitting metrics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from pydantic import ValidationError

from domain.charter_schema import (
    METRIC_KIND,
    SCALES,
    THRESHOLD_RANGES,
    CharterSpec,
    CommitmentSpec,
    is_code,
)

Path: TypeAlias = tuple[str | int, ...]
Problem: TypeAlias = tuple[Path, str]


@dataclass(frozen=True)
class _Commitment:
    """What the cross-checks need of one commitment, however broken the rest of it is."""

    code: object
    service: object
    spec: CommitmentSpec | None


def render_path(path: Path) -> str:
    """Return `commitments[2].questions[0].kind` for a field path."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top)"


def spec_problems(spec: CharterSpec) -> list[Problem]:
    """Return every contradiction between the parts of a validated charter."""
    return _cross(
        services=[service.code for service in spec.services],
        users=[owner.user for owner in spec.owners],
        commitments=[_Commitment(c.code, c.service, c) for c in spec.commitments],
    )


def raw_problems(data: Any) -> list[Problem]:
    """Return the contradictions visible in raw YAML data, even where fields are malformed."""
    if not isinstance(data, dict):
        return []
    commitments = []
    for item in _items(data.get("commitments")):
        try:
            spec: CommitmentSpec | None = CommitmentSpec.model_validate(item)
        except ValidationError:
            spec = None  # its own errors are reported by the schema
        commitments.append(_Commitment(_get(item, "code"), _get(item, "service"), spec))
    return _cross(
        services=[_get(item, "code") for item in _items(data.get("services"))],
        users=[_get(item, "user") for item in _items(data.get("owners"))],
        commitments=commitments,
    )


def commitment_problems(spec: CommitmentSpec) -> list[Problem]:
    """Return the problems inside one commitment, with paths relative to it."""
    problems: list[Problem] = []
    positions: set[int] = set()
    texts = 0
    for index, question in enumerate(spec.questions):
        if question.position in positions:
            problems.append(
                (("questions", index, "position"), f"position {question.position} is used twice")
            )
        positions.add(question.position)
        if question.kind == "text" and question.active:
            texts += 1
            if texts > 1:
                problems.append(
                    (("questions", index, "kind"), "a commitment asks at most one text question")
                )
    problems.extend(_metric_problems(spec))
    return problems


def _metric_problems(spec: CommitmentSpec) -> list[Problem]:
    kinds = {question.kind for question in spec.active_questions}
    needed = METRIC_KIND[spec.metric]
    if needed is not None:
        if needed not in kinds:
            return [(("metric",), f"{spec.metric} needs an active {needed} question")]
        low, high = THRESHOLD_RANGES[spec.metric]
        if not low <= spec.threshold <= high:
            return [(("threshold",), f"must be between {low} and {high} for {spec.metric}")]
        return []
    scales = sorted(kinds & SCALES.keys())
    if not scales:
        return [(("metric",), "mean needs an active rating_5, nps_10 or effort_7 question")]
    if len(scales) > 1:
        found = ", ".join(scales)
        return [(("metric",), f"mean needs its numeric questions on one scale (found {found})")]
    low, high = SCALES[scales[0]]
    if not low <= spec.threshold <= high:
        return [(("threshold",), f"must be between {low} and {high}, the {scales[0]} scale")]
    return []


def _cross(
    *, services: Sequence[object], users: Sequence[object], commitments: Sequence[_Commitment]
) -> list[Problem]:
    problems = _duplicates("services", "code", "service code", services)
    problems += _duplicates("owners", "user", "owner", users)
    problems += _duplicates("commitments", "code", "commitment code", [c.code for c in commitments])
    known = {code for code in services if isinstance(code, str)}
    # with a malformed service code, a reference to it could be right or wrong: say nothing
    references_checkable = all(is_code(code) for code in services)
    question_codes: set[str] = set()
    for index, commitment in enumerate(commitments):
        here: Path = ("commitments", index)
        service = commitment.service
        if references_checkable and isinstance(service, str) and service not in known:
            listed = ", ".join(sorted(known)) or "none"
            problems.append(
                ((*here, "service"), f"unknown service {service} (services in this file: {listed})")
            )
        if commitment.spec is None:
            continue
        problems += [((*here, *path), why) for path, why in commitment_problems(commitment.spec)]
        for position, question in enumerate(commitment.spec.questions):
            if question.code in question_codes:
                problems.append(
                    (
                        (*here, "questions", position, "code"),
                        f"question code {question.code} is used twice",
                    )
                )
            question_codes.add(question.code)
    return problems


def _duplicates(section: str, field: str, label: str, values: Sequence[object]) -> list[Problem]:
    seen: set[str] = set()
    problems: list[Problem] = []
    for index, value in enumerate(values):
        if not isinstance(value, str):
            continue
        if value in seen:
            problems.append(((section, index, field), f"{label} {value} is used twice"))
        seen.add(value)
    return problems


def _items(section: object) -> list[object]:
    return list(section) if isinstance(section, list) else []


def _get(item: object, key: str) -> object:
    return item.get(key) if isinstance(item, dict) else None
