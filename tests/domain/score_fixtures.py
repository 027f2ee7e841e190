"""A small charter and bulk-inserted pulses and answers, for the scoring and digest tests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.engine import Database
from storage.tables import (
    AlertDelivery,
    AlertState,
    Answer,
    Comment,
    Commitment,
    DigestDelivery,
    DigestRun,
    Interaction,
    OwnerSchedule,
    Person,
    Pulse,
    Question,
    Service,
)

AS_OF = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Paris


@dataclass(frozen=True)
class CommitmentSpec:
    """A commitment to create: its metric, target and the kinds of its questions."""

    code: str
    metric: str
    threshold: float
    kinds: tuple[str, ...]
    min_responses: int = 3
    window_days: int = 30
    owners: tuple[str, ...] = ("UOWNER1",)
    service: bool = True


# Each commitment has a question its metric ignores, to prove the filter by kind.
CHARTER: tuple[CommitmentSpec, ...] = (
    CommitmentSpec("CSAT", "csat", 80.0, ("rating_5", "yes_no", "text")),
    CommitmentSpec("NPS", "nps", 10.0, ("nps_10", "rating_5"), window_days=14),
    CommitmentSpec("YES", "yes_rate", 70.0, ("yes_no", "rating_5"), min_responses=2),
    CommitmentSpec("EFFORT", "effort", 60.0, ("effort_7", "nps_10"), window_days=7),
    CommitmentSpec("MEAN", "mean", 5.0, ("effort_7", "effort_7", "yes_no"), service=False),
)


@dataclass
class Seeded:
    """Ids of what `seed_charter` created."""

    service_id: int
    commitment_ids: list[int] = field(default_factory=list)
    questions: list[list[tuple[int, str]]] = field(default_factory=list)


@dataclass(frozen=True)
class AnswerRow:
    """One answer to give: question index within its commitment, value, when."""

    question: int
    value: int
    at: datetime


@dataclass(frozen=True)
class PulseRow:
    """One pulse to store, with its answers."""

    commitment: int
    respondent: str
    status: str
    sent_at: datetime | None
    answers: tuple[AnswerRow, ...] = ()


async def reset(session: AsyncSession) -> None:
    """Delete every row the scoring tests create (children first)."""
    for table in (
        AlertDelivery,
        AlertState,
        DigestDelivery,
        DigestRun,
        Comment,
        Answer,
        Pulse,
        Interaction,
        Question,
        Commitment,
        Service,
        OwnerSchedule,
        Person,
    ):
        await session.exec(delete(table))


async def seed_charter(
    database: Database,
    specs: Sequence[CommitmentSpec] = CHARTER,
    *,
    service_owners: Sequence[str] = ("USERVICE",),
) -> Seeded:
    """Create one service and the commitments of `specs`, with their questions."""
    async with database.begin() as session:
        await reset(session)
        service = Service(code="RH", name="Ressources humaines", owners=list(service_owners))
        session.add(service)
        await session.flush()
        assert service.id is not None
        seeded = Seeded(service_id=service.id)
        for spec in specs:
            commitment = Commitment(
                code=spec.code,
                service_id=service.id if spec.service else None,
                title=f"Engagement {spec.code}",
                title_en=f"Commitment {spec.code}",
                metric=spec.metric,
                threshold=spec.threshold,
                min_responses=spec.min_responses,
                window_days=spec.window_days,
                owners=list(spec.owners),
            )
            session.add(commitment)
            await session.flush()
            assert commitment.id is not None
            questions: list[tuple[int, str]] = []
            for position, kind in enumerate(spec.kinds, start=1):
                question = Question(
                    code=f"{spec.code}-Q{position}",
                    commitment_id=commitment.id,
                    kind=kind,
                    text_fr=f"Question {position}",
                    text_en=f"Question {position}",
                    position=position,
                )
                session.add(question)
                await session.flush()
                assert question.id is not None
                questions.append((question.id, kind))
            seeded.commitment_ids.append(commitment.id)
            seeded.questions.append(questions)
    return seeded


async def add_pulses(database: Database, seeded: Seeded, pulses: Sequence[PulseRow]) -> None:
    """Store pulses (one interaction each) and their answers in bulk."""
    if not pulses:
        return
    batch = uuid.uuid4().hex
    async with database.begin() as session:
        interactions = [
            {
                "source": "test",
                "external_id": f"{batch}-{index}",
                "payload_hash": "0" * 64,
                "service_id": seeded.service_id,
                "occurred_at": AS_OF - timedelta(days=400),
                "received_at": AS_OF - timedelta(days=400),
            }
            for index in range(len(pulses))
        ]
        await session.exec(insert(Interaction), params=interactions)
        ids = (
            await session.exec(
                select(col(Interaction.id))
                .where(col(Interaction.external_id).startswith(f"{batch}-"))
                .order_by(col(Interaction.id))
            )
        ).all()
        pulse_rows = [
            {
                "interaction_id": interaction_id,
                "service_id": seeded.service_id,
                "status": pulse.status,
                "respondent": pulse.respondent,
                "commitment_id": seeded.commitment_ids[pulse.commitment],
                "question_ids": [],
                "due_at": AS_OF - timedelta(days=400),
                "sent_at": pulse.sent_at,
            }
            for interaction_id, pulse in zip(ids, pulses, strict=True)
        ]
        await session.exec(insert(Pulse), params=pulse_rows)
        pulse_ids = (
            await session.exec(
                select(col(Pulse.id))
                .where(col(Pulse.interaction_id).in_(ids))
                .order_by(col(Pulse.interaction_id))
            )
        ).all()
        answers = [
            {
                "pulse_id": pulse_id,
                "question_id": seeded.questions[pulse.commitment][answer.question][0],
                "commitment_id": seeded.commitment_ids[pulse.commitment],
                "respondent": pulse.respondent,
                "value": answer.value,
                "answered_at": answer.at,
            }
            for pulse_id, pulse in zip(pulse_ids, pulses, strict=True)
            for answer in pulse.answers
        ]
        if answers:
            await session.exec(insert(Answer), params=answers)
