"""Commitments from Slack: add, edit, threshold, window, minimum responses, owners, archive."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import changed
from domain.charter import read_charter
from domain.charter_admin import (
    Change,
    Data,
    Problem,
    active_kinds,
    change_charter,
    check_text,
    check_threshold,
    find_commitment,
    find_service,
    parse_number,
    parse_whole,
    raise_problems,
)
from domain.charter_schema import METRICS, MIN_RESPONSES_FLOOR, is_code
from domain.errors import DomainError
from domain.roles import Caller, parse_user
from storage.tables import Commitment, Question

BUTTON_KINDS = ("rating_5", "yes_no", "nps_10", "effort_7")
MAX_MIN_RESPONSES = 1_000_000
WINDOW_DAYS = (7, 365)
# Checks one field's new value against its commitment, recording problems.
_Check = Callable[[Data, dict[str, Problem]], object]
# The fields a commitment's form edits, in the order the audit log lists them.
FIELDS = (
    "service",
    "title",
    "title_en",
    "metric",
    "threshold",
    "min_responses",
    "window_days",
    "owners",
)


@dataclass(frozen=True)
class CommitmentForm:
    """What the add or edit form holds, as typed: numbers stay text until checked."""

    title: str | None = None
    title_en: str | None = None
    service: str | None = None
    metric: str | None = None
    threshold: str | None = None
    min_responses: str | None = None
    window_days: str | None = None
    owners: tuple[str, ...] = ()
    code: str | None = None
    kind: str | None = None
    text_fr: str | None = None
    text_en: str | None = None


@dataclass(frozen=True)
class CommitmentLine:
    """A commitment as lists and the edit form show it."""

    code: str
    service: str | None
    title: str
    title_en: str | None
    metric: str
    threshold: float
    min_responses: int
    window_days: int
    owners: tuple[str, ...]
    questions: int


@dataclass(frozen=True)
class CommitmentChoices:
    """What the forms offer: the services (code, name) a commitment may belong to."""

    services: tuple[tuple[str, str], ...]


async def commitment_choices(session: AsyncSession, *, caller: Caller) -> CommitmentChoices:
    """Return the services a new or edited commitment can be attached to."""
    caller.require_admin()
    spec = await read_charter(session)
    return CommitmentChoices(services=tuple((s.code, s.name) for s in spec.services))


async def find_line(session: AsyncSession, *, caller: Caller, code: str) -> CommitmentLine:
    """Return one commitment, to fill its edit form or its confirmation."""
    caller.require_admin()
    data = (await read_charter(session)).model_dump(mode="json")
    return _line(find_commitment(data, code, locale=caller.locale))


async def list_commitments(
    session: AsyncSession, *, caller: Caller, service: str | None = None
) -> list[CommitmentLine]:
    """Return the live commitments (an owner sees theirs), of one service if given."""
    caller.require_owner()
    data = (await read_charter(session)).model_dump(mode="json")
    ids = {row.code: row.id for row in (await session.exec(select(Commitment))).all()}
    items = data["commitments"]
    if service is not None:
        code = find_service(data, service, locale=caller.locale)["code"]
        items = [c for c in items if c["service"] == code]
    return [_line(c) for c in items if caller.may_read(ids.get(c["code"]) or 0)]


async def add_commitment(
    session: AsyncSession, *, caller: Caller, form: CommitmentForm, now: datetime
) -> Change:
    """Create a commitment with its first question."""
    caller.require_admin()
    problems: dict[str, Problem] = {}
    code = (form.code or "").strip().upper()
    if not is_code(code):
        problems["code"] = ("admin.field.code", {})
    elif code in set((await session.exec(select(Commitment.code))).all()):
        problems["code"] = ("admin.field.code_taken", {"code": code})
    kind = (form.kind or "").strip()
    if kind not in BUTTON_KINDS:
        problems["kind"] = ("admin.field.choice", {"choices": ", ".join(BUTTON_KINDS)})
    text_fr = check_text(problems, "text_fr", form.text_fr, 150, required=True)
    text_en = check_text(problems, "text_en", form.text_en, 150, required=True)
    taken = set((await session.exec(select(Question.code))).all())
    question_code = next(f"{code}-Q{n}" for n in range(1, 1000) if f"{code}-Q{n}" not in taken)

    def edit(data: Data) -> tuple[Data | None, Data | None]:
        kinds = [kind] if kind in BUTTON_KINDS else []
        values = _values(data, form, problems, kinds=kinds, locale=caller.locale)
        raise_problems(problems, caller.locale)
        question = {"code": question_code, "kind": kind, "position": 1, "active": True}
        question["text"] = {"fr": text_fr, "en": text_en}
        data["commitments"].append({"code": code, **values, "questions": [question]})
        return None, {"code": code, **values, "question": question_code}

    return await change_charter(
        session, caller=caller, action="commitment.add", target=code, edit=edit, now=now
    )


async def edit_commitment(
    session: AsyncSession, *, caller: Caller, code: str, form: CommitmentForm, now: datetime
) -> Change:
    """Change a commitment's title, service, metric, target, window, minimum and owners."""
    caller.require_admin()

    def edit(data: Data) -> tuple[Data | None, Data | None]:
        commitment = find_commitment(data, code, locale=caller.locale)
        problems: dict[str, Problem] = {}
        values = _values(data, form, problems, kinds=active_kinds(commitment), locale=caller.locale)
        raise_problems(problems, caller.locale)
        before = {name: commitment[name] for name in FIELDS}
        commitment.update(values)
        return changed(before, {name: commitment[name] for name in FIELDS})

    return await change_charter(
        session, caller=caller, action="commitment.edit", target=code.upper(), edit=edit, now=now
    )


async def set_threshold(
    session: AsyncSession, *, caller: Caller, code: str, value: str, now: datetime
) -> Change:
    """Set the target a commitment's score must reach."""

    def check(commitment: Data, problems: dict[str, Problem]) -> float | None:
        threshold = parse_number(problems, "threshold", value)
        check_threshold(problems, commitment["metric"], active_kinds(commitment), threshold)
        return threshold

    return await _set_one(session, caller, code, "threshold", check, now)


async def set_window(
    session: AsyncSession, *, caller: Caller, code: str, value: str, now: datetime
) -> Change:
    """Set the rolling window (days) a commitment is measured over."""

    def check(commitment: Data, problems: dict[str, Problem]) -> int | None:
        return parse_whole(problems, "window_days", value, *WINDOW_DAYS)

    return await _set_one(session, caller, code, "window_days", check, now)


async def set_min_responses(
    session: AsyncSession, *, caller: Caller, code: str, value: str, now: datetime
) -> Change:
    """Set how many respondents a commitment needs before its score is shown."""

    def check(commitment: Data, problems: dict[str, Problem]) -> int | None:
        return parse_whole(problems, "min_responses", value, MIN_RESPONSES_FLOOR, MAX_MIN_RESPONSES)

    return await _set_one(session, caller, code, "min_responses", check, now)


async def set_owners(
    session: AsyncSession, *, caller: Caller, code: str, owners: Sequence[str], now: datetime
) -> Change:
    """Replace the people who own a commitment (and receive its digest)."""

    def check(commitment: Data, problems: dict[str, Problem]) -> list[str] | None:
        return _owners(problems, owners)

    return await _set_one(session, caller, code, "owners", check, now)


async def archive_commitment(
    session: AsyncSession, *, caller: Caller, code: str, now: datetime
) -> Change:
    """Archive a commitment: its questions stop being asked, its answers stay in history."""
    caller.require_admin()

    def edit(data: Data) -> tuple[Data | None, Data | None]:
        commitment = find_commitment(data, code, locale=caller.locale)
        data["commitments"].remove(commitment)
        return {"archived": False, "title": commitment["title"]}, {"archived": True}

    return await change_charter(
        session, caller=caller, action="commitment.archive", target=code.upper(), edit=edit, now=now
    )


async def _set_one(
    session: AsyncSession, caller: Caller, code: str, name: str, check: _Check, now: datetime
) -> Change:
    caller.require_admin()

    def edit(data: Data) -> tuple[Data | None, Data | None]:
        commitment = find_commitment(data, code, locale=caller.locale)
        problems: dict[str, Problem] = {}
        value = check(commitment, problems)
        raise_problems(problems, caller.locale)
        before = {name: commitment[name]}
        commitment[name] = value
        return before, {name: value}

    return await change_charter(
        session, caller=caller, action=f"commitment.{name}", target=code.upper(), edit=edit, now=now
    )


def _values(
    data: Data,
    form: CommitmentForm,
    problems: dict[str, Problem],
    *,
    kinds: Sequence[str],
    locale: str | None,
) -> Data:
    services = [s["code"] for s in data["services"]]
    service = (form.service or "").strip().upper() or None
    if service is not None and service not in services:
        problems["service"] = ("admin.field.choice", {"choices": ", ".join(services)})
    metric = (form.metric or "").strip()
    if metric not in METRICS:
        problems["metric"] = ("admin.field.choice", {"choices": ", ".join(METRICS)})
    threshold = parse_number(problems, "threshold", form.threshold)
    if metric in METRICS and kinds:
        check_threshold(problems, metric, kinds, threshold)
    return {
        "service": service,
        "title": check_text(problems, "title", form.title, 300, required=True),
        "title_en": check_text(problems, "title_en", form.title_en, 300, required=False),
        "metric": metric,
        "threshold": threshold,
        "min_responses": parse_whole(
            problems, "min_responses", form.min_responses, MIN_RESPONSES_FLOOR, MAX_MIN_RESPONSES
        ),
        "window_days": parse_whole(problems, "window_days", form.window_days, *WINDOW_DAYS),
        "owners": _owners(problems, form.owners),
    }


def _owners(problems: dict[str, Problem], owners: Sequence[str]) -> list[str] | None:
    users: list[str] = []
    for text in owners:
        try:
            users.append(parse_user(text))
        except DomainError:
            problems["owners"] = ("admin.field.user", {"value": text})
            return None
    if not users:
        problems["owners"] = ("admin.field.owners_required", {})
        return None
    return list(dict.fromkeys(users))


def _line(commitment: Data) -> CommitmentLine:
    return CommitmentLine(
        code=commitment["code"],
        service=commitment["service"],
        title=commitment["title"],
        title_en=commitment["title_en"],
        metric=commitment["metric"],
        threshold=float(commitment["threshold"]),
        min_responses=int(commitment["min_responses"]),
        window_days=int(commitment["window_days"]),
        owners=tuple(commitment["owners"]),
        questions=len(active_kinds(commitment)),
    )
