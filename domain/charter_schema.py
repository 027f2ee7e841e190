"""The charter as typed, frozen values, with the rules each field obeys on its own."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    ValidationInfo,
    model_validator,
)

from domain.charter_formats import format_delay, parse_delay, parse_schedule, parse_working_hours
from domain.group_sizes import SCORE_MIN_GROUP

DEFAULT_SCHEDULE = "mon 09:00"
DEFAULT_WORKING_HOURS = "mon-fri 09:00-18:00"
DEFAULT_DELAY = "2h"
# A pulse question becomes one Slack section; short questions get answered.
MAX_QUESTION_TEXT = 150
# Fewer respondents than this could identify someone in a small team.
MIN_RESPONSES_FLOOR = SCORE_MIN_GROUP

Metric = Literal["csat", "mean", "nps", "yes_rate", "effort"]
QuestionKind = Literal["rating_5", "yes_no", "nps_10", "effort_7", "text"]
METRICS: tuple[str, ...] = ("csat", "mean", "nps", "yes_rate", "effort")
QUESTION_KINDS: tuple[str, ...] = ("rating_5", "yes_no", "nps_10", "effort_7", "text")
# The kind of question each metric is computed from (mean takes one numeric scale, see SCALES).
METRIC_KIND: dict[str, str | None] = {
    "csat": "rating_5",
    "nps": "nps_10",
    "yes_rate": "yes_no",
    "effort": "effort_7",
    "mean": None,
}
# The answer range of the kinds a mean can be taken over.
SCALES: dict[str, tuple[int, int]] = {"rating_5": (1, 5), "nps_10": (0, 10), "effort_7": (1, 7)}
THRESHOLD_RANGES: dict[str, tuple[int, int]] = {
    "csat": (0, 100),
    "yes_rate": (0, 100),
    "effort": (0, 100),
    "nps": (-100, 100),
}

_CODE = re.compile(r"[A-Z][A-Z0-9_-]{1,31}")
_QUESTION_CODE = re.compile(r"[A-Z][A-Z0-9_-]{1,47}")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,31}")


def is_code(value: object) -> bool:
    """Tell whether `value` is a well-formed service or commitment code."""
    return isinstance(value, str) and _CODE.fullmatch(value) is not None


def _matching(pattern: re.Pattern[str], reason: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(reason)
        return value

    return check


def _text(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not value:
            raise ValueError("must not be empty")
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters (it has {len(value)})")
        if any(unicodedata.category(char) in ("Cc", "Cs") for char in value):
            raise ValueError("must be one line of plain text (no control characters)")
        return value

    return check


def _schedule(value: str) -> str:
    parse_schedule(value)
    return value


def _working_hours(value: str) -> str:
    parse_working_hours(value)
    return value


def _delay(value: object) -> str:
    return format_delay(parse_delay(value))


def _owners(values: tuple[str, ...]) -> tuple[str, ...]:
    # checked after the items, so a bad id is not also reported as an empty list
    if not values:
        raise ValueError("must name at least one owner")
    if len(set(values)) != len(values):
        raise ValueError("names someone twice")
    return values


def _questions(values: tuple[QuestionSpec, ...]) -> tuple[QuestionSpec, ...]:
    if not values:
        raise ValueError("must hold at least one question")
    return values


Code = Annotated[
    str,
    Strict(),
    AfterValidator(_matching(_CODE, "must be 2-32 of A-Z, 0-9, '-', '_', from a letter")),
]
QuestionCode = Annotated[
    str,
    Strict(),
    AfterValidator(_matching(_QUESTION_CODE, "must be 2-48 of A-Z, 0-9, '-', '_', from a letter")),
]
UserId = Annotated[
    str,
    Strict(),
    AfterValidator(_matching(_USER_ID, "must be a Slack user id such as U0123ABCD")),
]
ChannelId = Annotated[
    str,
    Strict(),
    AfterValidator(_matching(_CHANNEL_ID, "must be a Slack channel id such as C0123ABCD")),
]
Owners = Annotated[tuple[UserId, ...], AfterValidator(_owners)]
ScheduleText = Annotated[str, Strict(), AfterValidator(_schedule)]
StrictInt = Annotated[int, Strict()]
Name = Annotated[str, Strict(), AfterValidator(_text(200))]
Title = Annotated[str, Strict(), AfterValidator(_text(300))]
Wording = Annotated[str, Strict(), AfterValidator(_text(MAX_QUESTION_TEXT))]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Defaults(_Frozen):
    """Values that apply where the file says nothing."""

    digest_schedule: ScheduleText = DEFAULT_SCHEDULE


class OwnerSpec(_Frozen):
    """When one owner receives the digest."""

    user: UserId
    schedule: ScheduleText


class ServiceSpec(_Frozen):
    """A service line and how its pulses are sent."""

    code: Code
    name: Name
    name_en: Name | None = None
    owners: Owners
    channel: ChannelId | None = None
    delay: Annotated[str, BeforeValidator(_delay)] = DEFAULT_DELAY
    sampling: Annotated[StrictInt, Field(ge=0, le=100)] = 100
    working_hours: Annotated[str, Strict(), AfterValidator(_working_hours)] = DEFAULT_WORKING_HOURS
    holidays: Literal["FR", "none"] = "FR"
    settled_check: StrictBool = False

    @property
    def delay_minutes(self) -> int:
        """Return how long after an interaction its pulse waits."""
        return parse_delay(self.delay)


class LocalizedText(_Frozen):
    """A question's wording in French and English."""

    fr: Wording
    en: Wording


class QuestionSpec(_Frozen):
    """One question of a commitment."""

    code: QuestionCode
    kind: QuestionKind
    text: LocalizedText
    position: Annotated[StrictInt, Field(ge=1, le=999)]
    active: Annotated[bool, Strict()] = True


class CommitmentSpec(_Frozen):
    """A commitment, its target and the questions that measure it."""

    code: Code
    service: Code | None = None
    title: Title
    title_en: Title | None = None
    metric: Metric
    threshold: Annotated[float, Strict(), Field(allow_inf_nan=False)]
    min_responses: Annotated[StrictInt, Field(ge=MIN_RESPONSES_FLOOR, le=1_000_000)]
    window_days: Annotated[StrictInt, Field(ge=7, le=365)]
    owners: Owners
    questions: Annotated[tuple[QuestionSpec, ...], AfterValidator(_questions)]

    @model_validator(mode="before")
    @classmethod
    def _default_question_codes(cls, data: Any) -> Any:
        """Number unnumbered questions by order and name unnamed ones after the commitment."""
        if not isinstance(data, dict) or not isinstance(data.get("questions"), list | tuple):
            return data
        code = data.get("code")
        # A bad commitment code is reported on its own; a stand-in keeps that the only error.
        stem = code if isinstance(code, str) and is_code(code) else "X"
        questions: list[Any] = []
        for index, question in enumerate(data["questions"], start=1):
            if isinstance(question, dict):
                question = dict(question)
                position = question.setdefault("position", index)
                if "code" not in question and isinstance(position, int):
                    question["code"] = f"{stem}-Q{position}"
            questions.append(question)
        return {**data, "questions": questions}

    @property
    def active_questions(self) -> tuple[QuestionSpec, ...]:
        """Return the questions still asked, by position."""
        return tuple(sorted((q for q in self.questions if q.active), key=lambda q: q.position))


class CharterSpec(_Frozen):
    """A whole service charter: the file is the truth, the database follows it."""

    version: Literal[1]
    defaults: Defaults = Defaults()
    owners: tuple[OwnerSpec, ...] = ()
    services: tuple[ServiceSpec, ...]
    commitments: tuple[CommitmentSpec, ...]

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> CharterSpec:
        """Refuse a charter whose parts contradict each other (the parser reports these itself)."""
        if isinstance(info.context, dict) and info.context.get("cross_checked"):
            return self
        # the checks module builds on these models, so it is imported when first needed
        from domain.charter_checks import render_path, spec_problems

        problems = spec_problems(self)
        if problems:
            raise ValueError("; ".join(f"{render_path(path)}: {why}" for path, why in problems))
        return self

    def schedules(self) -> dict[str, str]:
        """Return the digest schedule of every owner named anywhere in the charter."""
        named = [user for service in self.services for user in service.owners]
        named += [user for commitment in self.commitments for user in commitment.owners]
        result = dict.fromkeys(sorted(named), self.defaults.digest_schedule)
        result.update({owner.user: owner.schedule for owner in self.owners})
        return result
