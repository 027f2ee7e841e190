"""Change the charter from Slack: the same rules as a charter file, each change audited."""

from __future__ import annotations

import difflib
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import record
from domain.charter import CharterSpec, apply_charter, dump_charter, parse_charter, read_charter
from domain.charter_checks import Path, spec_problems
from domain.charter_schema import METRIC_KIND, SCALES, THRESHOLD_RANGES
from domain.errors import InvalidInput, NotFound
from domain.roles import Caller
from storage.tables import Marker
from storage.upsert import insert_for

# Held (row-locked on PostgreSQL) for the transaction of each change: two admins editing at
# once would otherwise each write back the other's old values.
CHARTER_MARKER = "charter_edit"

Data = dict[str, Any]
Problem = tuple[str, dict[str, Any]]
Edit = Callable[[Data], tuple[Data | None, Data | None]]


class FieldErrors(InvalidInput):
    """Values refused field by field; each reason is a catalog key and its parameters."""

    key = "admin.field.invalid"

    def __init__(self, problems: dict[str, Problem], *, locale: str | None = None) -> None:
        first_key, first_params = next(iter(problems.values()))
        detail = "; ".join(f"{name}: {key}" for name, (key, _) in problems.items())
        super().__init__(detail, locale=locale, **first_params)
        # the first problem is what a one-line answer (a slash command) shows
        self.key = first_key
        self.problems = problems


class UnknownCode(NotFound):
    """No service, commitment or question has this code; the nearest one is suggested."""

    key = "admin.unknown.commitment"

    def __init__(
        self, kind: str, code: str, known: Sequence[str], *, locale: str | None = None
    ) -> None:
        close = difflib.get_close_matches(code.upper(), list(known), n=1, cutoff=0.5)
        super().__init__(f"unknown {kind} {code}", locale=locale, code=code, suggestion="")
        self.key = f"admin.unknown.{kind}"
        if close:
            self.key = f"admin.unknown.{kind}_suggest"
            self.params["suggestion"] = close[0]


@dataclass(frozen=True)
class Change:
    """What one change did, as the audit log keeps it."""

    action: str
    target: str
    before: Data | None
    after: Data | None

    @property
    def changed(self) -> bool:
        """Tell whether anything was written."""
        return self.before != self.after


@dataclass(frozen=True)
class Difference:
    """One thing a charter import changes: a service, commitment, question or schedule."""

    kind: str
    code: str
    change: str
    fields: tuple[str, ...] = ()


async def change_charter(
    session: AsyncSession, *, caller: Caller, action: str, target: str, edit: Edit, now: datetime
) -> Change:
    """Apply `edit` to the charter in force, check it like a charter file, store and audit it."""
    await _serialize(session, now)
    data = (await read_charter(session)).model_dump(mode="json")
    before, after = edit(data)
    change = Change(action=action, target=target, before=before, after=after)
    if not change.changed:
        return change
    spec = validated(data, locale=caller.locale)
    await apply_charter(session, spec=spec, now=now)
    await record(
        session,
        actor=caller.user_id,
        action=action,
        target=target,
        before=before,
        after=after,
        now=now,
    )
    return change


def validated(data: Data, *, locale: str | None) -> CharterSpec:
    """Return the charter `data` describes, or raise FieldErrors with the charter's reasons."""
    problems: list[tuple[Path, str]]
    try:
        spec = CharterSpec.model_validate(data, context={"cross_checked": True})
    except ValidationError as exc:
        problems = [
            (tuple(e["loc"]), str(e["msg"]).removeprefix("Value error, ")) for e in exc.errors()
        ]
    else:
        problems = spec_problems(spec)
    if problems:
        raise FieldErrors(
            {_field(path): ("admin.charter_refused", {"detail": why}) for path, why in problems},
            locale=locale,
        )
    return spec


async def export_charter(session: AsyncSession, *, caller: Caller) -> str:
    """Return the charter in force as the YAML file `ecoute charter load` reads."""
    caller.require_admin()
    return dump_charter(await read_charter(session))


async def plan_import(
    session: AsyncSession, *, caller: Caller, text: str, now: datetime
) -> list[Difference]:
    """Check a charter file like the CLI does and say what loading it would change."""
    caller.require_admin()
    spec = parse_charter(text, filename="charter.yaml")
    current = await read_charter(session)
    # Loading for real, then rolling back, runs the checks that need the database.
    async with session.begin_nested() as savepoint:
        await apply_charter(session, spec=spec, now=now)
        await savepoint.rollback()
    return charter_diff(current, spec)


async def import_charter(
    session: AsyncSession, *, caller: Caller, text: str, now: datetime
) -> list[Difference]:
    """Load a charter file (all or nothing) and audit what it changed."""
    caller.require_admin()
    spec = parse_charter(text, filename="charter.yaml")
    await _serialize(session, now)
    differences = charter_diff(await read_charter(session), spec)
    await apply_charter(session, spec=spec, now=now)
    if differences:
        await record(
            session,
            actor=caller.user_id,
            action="charter.import",
            target="charter",
            before=None,
            after={"changes": [asdict(d) for d in differences]},
            now=now,
        )
    return differences


def charter_diff(old: CharterSpec, new: CharterSpec) -> list[Difference]:
    """Return what turns `old` into `new`, item by item."""
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    found: list[Difference] = []
    for kind, section in (("service", "services"), ("commitment", "commitments")):
        found += _compare(kind, before[section], after[section], "code", ignore=("questions",))
    # Loading gives every owner a schedule (the default unless written): compare those.
    old_schedules, new_schedules = (
        [{"code": user, "schedule": when} for user, when in spec.schedules().items()]
        for spec in (old, new)
    )
    found += _compare("schedule", old_schedules, new_schedules, "code", ignore=())
    old_questions = [q for c in before["commitments"] for q in c["questions"] if q["active"]]
    new_questions = [q for c in after["commitments"] for q in c["questions"] if q["active"]]
    found += _compare("question", old_questions, new_questions, "code", ignore=())
    return found


def _compare(
    kind: str, old: list[Data], new: list[Data], key: str, *, ignore: tuple[str, ...]
) -> list[Difference]:
    olds = {item[key]: item for item in old}
    news = {item[key]: item for item in new}
    found: list[Difference] = []
    for code, item in news.items():
        if code not in olds:
            found.append(Difference(kind, code, "created"))
            continue
        fields = tuple(f for f in item if f not in ignore and item[f] != olds[code].get(f))
        if fields:
            found.append(Difference(kind, code, "updated", fields))
    found += [Difference(kind, code, "archived") for code in olds if code not in news]
    return found


async def _serialize(session: AsyncSession, now: datetime) -> None:
    insert = insert_for(session, Marker)
    statement = insert.values(name=CHARTER_MARKER, at=now)
    statement = statement.on_conflict_do_update(index_elements=["name"], set_={"at": now})
    await session.exec(statement)


def _field(path: Path) -> str:
    names = [part for part in path if isinstance(part, str)]
    if len(names) >= 2 and names[-2] == "text":
        return f"text_{names[-1]}"
    return names[-1] if names else "charter"


# Lookups, with a suggestion for typos.


def find_service(data: Data, code: str, *, locale: str | None) -> Data:
    """Return the service `code` (any case), or raise UnknownCode."""
    return _find(data["services"], "service", code, locale)


def find_commitment(data: Data, code: str, *, locale: str | None) -> Data:
    """Return the commitment `code` (any case), or raise UnknownCode."""
    return _find(data["commitments"], "commitment", code, locale)


def find_question(data: Data, code: str, *, locale: str | None) -> tuple[Data, Data]:
    """Return (commitment, question) for an active question code, or raise UnknownCode."""
    wanted = code.strip().upper()
    for commitment in data["commitments"]:
        for question in commitment["questions"]:
            if question["code"] == wanted:
                return commitment, question
    known = [q["code"] for c in data["commitments"] for q in c["questions"]]
    raise UnknownCode("question", code, known, locale=locale)


def _find(items: list[Data], kind: str, code: str, locale: str | None) -> Data:
    wanted = code.strip().upper()
    for item in items:
        if item["code"] == wanted:
            return item
    raise UnknownCode(kind, code, [item["code"] for item in items], locale=locale)


# Field checks: each adds a catalog key to `problems` rather than raising, so a form shows
# every wrong field at once.


def check_text(
    problems: dict[str, Problem], name: str, value: str | None, limit: int, *, required: bool
) -> str | None:
    """Return the stripped text, or None (recording why) when it is missing or malformed."""
    text = (value or "").strip()
    if not text:
        if required:
            problems[name] = ("admin.field.required", {})
        return None
    if len(text) > limit:
        problems[name] = ("admin.field.too_long", {"limit": limit, "length": len(text)})
    elif any(unicodedata.category(char) in ("Cc", "Cs") for char in text):
        problems[name] = ("admin.field.one_line", {})
    return text


def parse_number(problems: dict[str, Problem], name: str, text: str | None) -> float | None:
    """Read `85`, `85,5`, `85.5` or `85 %`; record why not otherwise."""
    cleaned = (text or "").replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    cleaned = cleaned.removesuffix("%").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        problems[name] = ("admin.field.number", {"value": (text or "").strip()})
        return None
    return value


def parse_whole(
    problems: dict[str, Problem], name: str, text: str | None, low: int, high: int
) -> int | None:
    """Read a whole number between `low` and `high` (a trailing `d` or `j` is allowed)."""
    cleaned = (text or "").strip().lower().removesuffix("d").removesuffix("j").strip()
    if not cleaned.lstrip("-").isdigit():
        problems[name] = ("admin.field.whole_number", {"value": (text or "").strip()})
        return None
    value = int(cleaned)
    if not low <= value <= high:
        problems[name] = ("admin.field.range", {"low": low, "high": high})
        return None
    return value


def check_threshold(
    problems: dict[str, Problem], metric: str, kinds: Sequence[str], value: float | None
) -> None:
    """Record a metric its questions cannot measure, or a threshold outside the metric's range."""
    needed = METRIC_KIND.get(metric)
    if needed is not None:
        if needed not in kinds:
            problems.setdefault("metric", ("admin.field.metric_kind", {"kind": needed}))
            return
        low, high = THRESHOLD_RANGES[metric]
    else:
        scales = sorted(set(kinds) & SCALES.keys())
        if len(scales) != 1:
            problems.setdefault("metric", ("admin.field.mean_kind", {}))
            return
        low, high = SCALES[scales[0]]
    if value is not None and not low <= value <= high:
        problems.setdefault("threshold", ("admin.field.range", {"low": low, "high": high}))


def active_kinds(commitment: Data) -> list[str]:
    """Return the kinds of a commitment's active questions."""
    return [q["kind"] for q in commitment["questions"] if q["active"]]


def raise_problems(problems: dict[str, Problem], locale: str | None) -> None:
    """Raise FieldErrors if any field was refused."""
    if problems:
        raise FieldErrors(problems, locale=locale)
