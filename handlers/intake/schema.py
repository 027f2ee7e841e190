"""Parse and validate intake bodies (one interaction, or a batch) into domain values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, NotRequired

import pydantic_core
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    with_config,
)

# pydantic needs typing_extensions' TypedDict before Python 3.12
from typing_extensions import TypedDict

from domain.intake import MAX_BATCH, NewInteraction

# [0-9] rather than \d: the Rust, Python and ECMAScript regex engines disagree on \d
SOURCE_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
SLACK_USER_PATTERN = r"^[UW][A-Z0-9]{2,31}$"
# no space, control character or second @; deliverability is the directory's business
EMAIL_PATTERN = r"^[^@ \x00-\x1f\x7f]+@[^@ \x00-\x1f\x7f]+\.[^@ \x00-\x1f\x7f]+$"
# PostgreSQL text cannot hold NUL
TEXT_PATTERN = r"^[^\x00]*$"
DATE_TIME_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
DEFAULT_SOURCE = "api"
_DATE_TIME = re.compile(DATE_TIME_PATTERN)

PATTERN_REASONS = {
    "source": "must be lower-case letters, digits, '_', '.' or '-' (1-64, starting alphanumeric)",
    "slack_user_id": "not a Slack user id (U or W then capitals and digits)",
    "email": "not an email address",
}


def _instant(value: object) -> datetime:
    if not isinstance(value, str) or not _DATE_TIME.fullmatch(value):
        raise ValueError("must be an RFC 3339 date-time with an offset, e.g. 2025-03-01T09:30:00Z")
    try:
        return datetime.fromisoformat(value.upper().replace("Z", "+00:00")).astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError("not a valid date-time (out of range)") from None


Instant = Annotated[datetime, BeforeValidator(_instant)]
Text = Annotated[str, Field(pattern=TEXT_PATTERN)]


# TypedDicts rather than models: a 1000-item batch then makes a third of the objects, and
# the garbage collector, which the allocations wake, has that much less to walk
@with_config(ConfigDict(extra="forbid", strict=True))
class BeneficiaryIn(TypedDict):
    """Whom to ask: exactly one of a Slack user id or an email address."""

    slack_user_id: NotRequired[Annotated[str, Field(pattern=SLACK_USER_PATTERN)] | None]
    email: NotRequired[Annotated[str, Field(max_length=254, pattern=EMAIL_PATTERN)] | None]


def _exactly_one(value: BeneficiaryIn) -> BeneficiaryIn:
    if (value.get("slack_user_id") is None) == (value.get("email") is None):
        raise ValueError("give exactly one of slack_user_id or email")
    return value


# Where the source system wants "not yet settled" reported (a signed POST); http(s) only.
CALLBACK_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"


@with_config(ConfigDict(extra="forbid", strict=True))
class InteractionIn(TypedDict):
    """One interaction as the API receives it."""

    external_id: Annotated[Text, Field(min_length=1, max_length=200)]
    source: NotRequired[Annotated[str, Field(pattern=SOURCE_PATTERN)]]
    service: Annotated[Text, Field(min_length=1, max_length=32)]
    beneficiary: Annotated[BeneficiaryIn, AfterValidator(_exactly_one)]
    occurred_at: Instant
    reference: NotRequired[Annotated[Text, Field(max_length=200)] | None]
    summary: NotRequired[Annotated[Text, Field(max_length=500)] | None]
    send_after: NotRequired[Instant | None]
    callback_url: NotRequired[
        Annotated[str, Field(max_length=2000, pattern=CALLBACK_PATTERN)] | None
    ]


@with_config(ConfigDict(extra="forbid", strict=True))
class BatchIn(TypedDict):
    """A batch: `{"interactions": [...]}`, accepted or refused as a whole."""

    interactions: Annotated[list[InteractionIn], Field(min_length=1, max_length=MAX_BATCH)]


_INTERACTION: TypeAdapter[InteractionIn] = TypeAdapter(InteractionIn)
_BATCH: TypeAdapter[BatchIn] = TypeAdapter(BatchIn)


def to_domain(item: InteractionIn) -> NewInteraction:
    """Return the normalised domain value of a validated interaction."""
    beneficiary = item["beneficiary"]
    email = beneficiary.get("email")
    if email is not None:
        lowered = email.lower()
        # a few capitals (İ) lower into two characters: never past the column's 254
        email = lowered if len(lowered) <= 254 else email
    return NewInteraction(
        source=item.get("source", DEFAULT_SOURCE),
        external_id=item["external_id"],
        service=item["service"],
        occurred_at=item["occurred_at"],
        slack_user_id=beneficiary.get("slack_user_id"),
        email=email,
        reference=item.get("reference"),
        summary=item.get("summary"),
        send_after=item.get("send_after"),
        callback_url=item.get("callback_url"),
    )


def validate_interaction(document: object) -> NewInteraction:
    """Return the interaction in a decoded JSON object, or raise pydantic's ValidationError."""
    return to_domain(_INTERACTION.validate_python(document))


@dataclass(frozen=True)
class FieldError:
    """One offending field: where (`interactions[3].service`) and why."""

    path: str
    reason: str


class BodyInvalid(Exception):
    """The body cannot be accepted as it stands; `fields` names every offending field."""

    def __init__(self, fields: list[FieldError]) -> None:
        super().__init__("; ".join(f"{f.path}: {f.reason}" for f in fields))
        self.fields = fields


@dataclass(frozen=True)
class Body:
    """A parsed body: its interactions, and whether it came as a batch (for error paths)."""

    items: list[NewInteraction]
    batched: bool

    def path(self, index: int, field: str = "") -> str:
        """Return the path of `field` in item `index`, as the client wrote it."""
        prefix = f"interactions[{index}]" if self.batched else ""
        if not field:
            return prefix or "body"
        return f"{prefix}.{field}" if prefix else field


def parse_body(raw: bytes) -> Body:
    """Return the interactions in `raw`, or raise BodyInvalid naming every bad field."""
    try:
        document = pydantic_core.from_json(raw, allow_inf_nan=False)
    except ValueError as exc:
        raise BodyInvalid([FieldError("body", f"malformed JSON: {exc}")]) from None
    if not isinstance(document, dict):
        raise BodyInvalid(
            [FieldError("body", 'expected an interaction object or {"interactions": [...]}')]
        )
    try:
        if "interactions" in document:
            batch = _BATCH.validate_python(document)
            return Body([to_domain(item) for item in batch["interactions"]], batched=True)
        return Body([validate_interaction(document)], batched=False)
    except ValidationError as exc:
        raise BodyInvalid(field_errors(exc)) from None


def field_errors(exc: ValidationError) -> list[FieldError]:
    """Translate pydantic's errors into paths and plain reasons."""
    fields = []
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        loc = error["loc"]
        fields.append(FieldError(path_of(loc), _reason(error, loc)))
    return fields


def path_of(loc: tuple[int | str, ...]) -> str:
    """Return `interactions[3].beneficiary` for the location ('interactions', 3, 'beneficiary')."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path or "body"


def _reason(error: Any, loc: tuple[int | str, ...]) -> str:
    kind = error["type"]
    name = next((part for part in reversed(loc) if isinstance(part, str)), "")
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "string_pattern_mismatch":
        return PATTERN_REASONS.get(name, "must not contain NUL characters")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be an object"
    if kind == "string_type":
        return "must be a string"
    if kind == "list_type":
        return "must be an array"
    message: str = error["msg"]
    return message.removeprefix("Value error, ")
