"""The service charter: load a file into the database (archiving what left it) and read it back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.charter_checks import render_path
from domain.charter_formats import format_delay
from domain.charter_schema import (
    CharterSpec,
    CommitmentSpec,
    Defaults,
    LocalizedText,
    OwnerSpec,
    QuestionSpec,
    ServiceSpec,
)
from domain.charter_yaml import CharterInvalid, dump_charter, parse_charter
from storage.tables import Answer, Commitment, OwnerSchedule, Question, Service

__all__ = [
    "ApplyReport",
    "CharterInvalid",
    "CharterSpec",
    "CommitmentSpec",
    "Defaults",
    "KindCounts",
    "LocalizedText",
    "OwnerSpec",
    "QuestionSpec",
    "ServiceSpec",
    "apply_charter",
    "dump_charter",
    "parse_charter",
    "read_charter",
]


@dataclass(frozen=True)
class KindCounts:
    """What loading a charter did to one kind of thing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0


@dataclass(frozen=True)
class ApplyReport:
    """What loading a charter changed, in counts per kind and in lines a person reads."""

    services: KindCounts
    commitments: KindCounts
    questions: KindCounts
    owners: KindCounts
    lines: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Tell whether the database differs from before."""
        kinds = (self.services, self.commitments, self.questions, self.owners)
        return any(kind.created or kind.updated or kind.archived for kind in kinds)


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    lines: list[str] = field(default_factory=list)

    def freeze(self) -> KindCounts:
        return KindCounts(self.created, self.updated, self.unchanged, self.archived)


async def apply_charter(session: AsyncSession, *, spec: CharterSpec, now: datetime) -> ApplyReport:
    """Make the database hold exactly `spec`, archiving (never deleting) what the file dropped."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    services, service_ids = await _apply_services(session, spec=spec.services, now=now)
    commitments, commitment_ids = await _apply_commitments(
        session, spec=spec.commitments, service_ids=service_ids, now=now
    )
    questions = await _apply_questions(
        session, spec=spec.commitments, commitment_ids=commitment_ids
    )
    owners = await _apply_schedules(session, schedules=spec.schedules())
    tallies = (services, commitments, questions, owners)
    return ApplyReport(
        services=services.freeze(),
        commitments=commitments.freeze(),
        questions=questions.freeze(),
        owners=owners.freeze(),
        lines=tuple(line for tally in tallies for line in tally.lines),
    )


async def read_charter(session: AsyncSession) -> CharterSpec:
    """Return the charter the database holds now: live services, commitments and questions."""
    every_service = (await session.exec(select(Service).order_by(col(Service.id)))).all()
    services = [service for service in every_service if service.archived_at is None]
    commitments = (
        await session.exec(
            select(Commitment)
            .where(col(Commitment.archived_at).is_(None))
            .order_by(col(Commitment.id))
        )
    ).all()
    questions = (
        await session.exec(
            select(Question)
            .where(col(Question.active).is_(True))
            .order_by(col(Question.position), col(Question.id))
        )
    ).all()
    schedules = (
        await session.exec(select(OwnerSchedule).order_by(col(OwnerSchedule.user_id)))
    ).all()
    # archived services stay known, so a commitment still tied to one is reported, not made common
    codes = {service.id: service.code for service in every_service}
    asked: dict[int, list[dict[str, Any]]] = {}
    for question in questions:
        asked.setdefault(question.commitment_id, []).append(_question_data(question))
    data = {
        "version": 1,
        "defaults": Defaults().model_dump(),
        "owners": [{"user": row.user_id, "schedule": row.schedule} for row in schedules],
        "services": [_service_data(service) for service in services],
        "commitments": [
            _commitment_data(
                row, service=codes.get(row.service_id), questions=asked.get(row.id or 0, [])
            )
            for row in commitments
        ],
    }
    try:
        return CharterSpec.model_validate(data)
    except ValidationError as exc:
        # Something other than a charter file wrote these rows; say what the file format refuses.
        raise CharterInvalid(
            [f"database: {render_path(tuple(e['loc']))}: {e['msg']}" for e in exc.errors()]
        ) from None


async def _apply_services(
    session: AsyncSession, *, spec: Sequence[ServiceSpec], now: datetime
) -> tuple[_Tally, dict[str, int]]:
    rows = {row.code: row for row in (await session.exec(select(Service))).all()}
    tally = _Tally()
    for item in spec:
        values: dict[str, Any] = {
            "name": item.name,
            "name_en": item.name_en,
            "owners": list(item.owners),
            "channel": item.channel,
            "delay_minutes": item.delay_minutes,
            "sampling_percent": item.sampling,
            "working_hours": item.working_hours,
            "holidays": item.holidays,
            "settled_check": item.settled_check,
        }
        row = rows.get(item.code)
        if row is None:
            rows[item.code] = row = Service(code=item.code, **values)
            session.add(row)
            tally.created += 1
            tally.lines.append(f"created service {item.code} ({item.name})")
        else:
            _update(row, values, tally, f"service {item.code}")
    await _archive(session, rows.values(), {item.code for item in spec}, tally, "service", now)
    await session.flush()
    return tally, {code: row.id for code, row in rows.items() if row.id is not None}


async def _apply_commitments(
    session: AsyncSession,
    *,
    spec: Sequence[CommitmentSpec],
    service_ids: dict[str, int],
    now: datetime,
) -> tuple[_Tally, dict[str, int]]:
    rows = {row.code: row for row in (await session.exec(select(Commitment))).all()}
    tally = _Tally()
    for item in spec:
        values: dict[str, Any] = {
            "service_id": service_ids[item.service] if item.service is not None else None,
            "title": item.title,
            "title_en": item.title_en,
            "metric": item.metric,
            "threshold": item.threshold,
            "min_responses": item.min_responses,
            "window_days": item.window_days,
            "owners": list(item.owners),
        }
        row = rows.get(item.code)
        if row is None:
            rows[item.code] = row = Commitment(code=item.code, **values)
            session.add(row)
            tally.created += 1
            tally.lines.append(f"created commitment {item.code} ({item.title})")
        else:
            _update(row, values, tally, f"commitment {item.code}")
    await _archive(session, rows.values(), {item.code for item in spec}, tally, "commitment", now)
    await session.flush()
    return tally, {code: row.id for code, row in rows.items() if row.id is not None}


async def _apply_questions(
    session: AsyncSession, *, spec: Sequence[CommitmentSpec], commitment_ids: dict[str, int]
) -> _Tally:
    rows = {row.code: row for row in (await session.exec(select(Question))).all()}
    wanted = {q.code: (c, q) for c in spec for q in c.questions}
    await _refuse_kind_changes(session, rows=rows, wanted=wanted)
    tally = _Tally()
    for code, (commitment, item) in wanted.items():
        values: dict[str, Any] = {
            "commitment_id": commitment_ids[commitment.code],
            "kind": item.kind,
            "text_fr": item.text.fr,
            "text_en": item.text.en,
            "position": item.position,
            "active": item.active,
        }
        row = rows.get(code)
        if row is None:
            session.add(Question(code=code, **values))
            tally.created += 1
            tally.lines.append(f"created question {code} ({item.kind}, {commitment.code})")
        else:
            _update(row, values, tally, f"question {code}")
    for code, row in rows.items():
        if code not in wanted and row.active:
            row.active = False
            session.add(row)
            tally.archived += 1
            tally.lines.append(f"archived question {code}")
    await session.flush()
    return tally


async def _refuse_kind_changes(
    session: AsyncSession,
    *,
    rows: dict[str, Question],
    wanted: dict[str, tuple[CommitmentSpec, QuestionSpec]],
) -> None:
    """Refuse to change the kind of an answered question: its answers would change meaning."""
    changed = {
        row.id: code
        for code, row in rows.items()
        if code in wanted and row.kind != wanted[code][1].kind
    }
    if not changed:
        return
    answered = (
        await session.exec(
            select(Answer.question_id).where(col(Answer.question_id).in_(list(changed))).distinct()
        )
    ).all()
    if answered:
        raise CharterInvalid(
            [
                f"question {changed[question_id]}: already has answers, so its kind cannot "
                f"change from {rows[changed[question_id]].kind} to "
                f"{wanted[changed[question_id]][1].kind}: give the new question a new code"
                for question_id in sorted(answered)
            ]
        )


async def _apply_schedules(session: AsyncSession, *, schedules: dict[str, str]) -> _Tally:
    rows = {row.user_id: row for row in (await session.exec(select(OwnerSchedule))).all()}
    tally = _Tally()
    for user, schedule in schedules.items():
        row = rows.get(user)
        if row is None:
            session.add(OwnerSchedule(user_id=user, schedule=schedule))
            tally.created += 1
            tally.lines.append(f"created digest schedule of {user} ({schedule})")
        else:
            _update(row, {"schedule": schedule}, tally, f"digest schedule of {user}")
    for user, row in rows.items():
        if user not in schedules:
            # A schedule row carries no history, and a stale one would keep sending digests.
            await session.delete(row)
            tally.archived += 1
            tally.lines.append(f"removed digest schedule of {user} (no longer an owner)")
    await session.flush()
    return tally


def _update(row: Any, values: dict[str, Any], tally: _Tally, label: str) -> None:
    """Copy `values` onto `row`, restoring it if archived, and record what changed."""
    changes = [
        f"{name} {getattr(row, name)!r} -> {value!r}"
        for name, value in values.items()
        if getattr(row, name) != value
    ]
    for name, value in values.items():
        setattr(row, name, value)
    if getattr(row, "archived_at", None) is not None:
        row.archived_at = None
        changes.insert(0, "restored")
    if changes:
        tally.updated += 1
        tally.lines.append(f"updated {label}: {', '.join(changes)}")
    else:
        tally.unchanged += 1


async def _archive(
    session: AsyncSession,
    rows: Iterable[Service | Commitment],
    keep: set[str],
    tally: _Tally,
    label: str,
    now: datetime,
) -> None:
    for row in rows:
        if row.code not in keep and row.archived_at is None:
            row.archived_at = now
            session.add(row)
            tally.archived += 1
            tally.lines.append(f"archived {label} {row.code}")


def _service_data(row: Service) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "name_en": row.name_en,
        "owners": row.owners,
        "channel": row.channel,
        "delay": format_delay(row.delay_minutes),
        "sampling": row.sampling_percent,
        "working_hours": row.working_hours,
        "holidays": row.holidays,
        "settled_check": row.settled_check,
    }


def _commitment_data(
    row: Commitment, *, service: str | None, questions: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "code": row.code,
        "service": service,
        "title": row.title,
        "title_en": row.title_en,
        "metric": row.metric,
        "threshold": row.threshold,
        "min_responses": row.min_responses,
        "window_days": row.window_days,
        "owners": row.owners,
        "questions": questions,
    }


def _question_data(row: Question) -> dict[str, Any]:
    return {
        "code": row.code,
        "kind": row.kind,
        "text": {"fr": row.text_fr, "en": row.text_en},
        "position": row.position,
        "active": row.active,
    }
