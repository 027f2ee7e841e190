"""Loading a charter into the database: create, leave alone, update, archive, restore."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

from domain.charter import (
    ApplyReport,
    CharterInvalid,
    CharterSpec,
    KindCounts,
    apply_charter,
    dump_charter,
    parse_charter,
    read_charter,
)
from storage.engine import Database
from storage.tables import Answer, Commitment, Interaction, OwnerSchedule, Pulse, Question, Service

EXAMPLE = Path(__file__).parents[2] / "examples" / "charter-bercy.yaml"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


async def load(database: Database, text: str, now: datetime = NOW) -> ApplyReport:
    async with database.begin() as session:
        return await apply_charter(session, spec=parse_charter(text), now=now)


async def read(database: Database) -> CharterSpec:
    async with database.begin() as session:
        return await read_charter(session)


async def answer(database: Database, *, question_code: str) -> int:
    """Store one answer to `question_code` (with its interaction and pulse) and return its id."""
    async with database.begin() as session:
        question = (
            await session.exec(select(Question).where(Question.code == question_code))
        ).one()
        service = (await session.exec(select(Service).where(Service.code == "SI"))).one()
        assert service.id is not None
        assert question.id is not None
        interaction = Interaction(
            source="glpi",
            external_id=f"T-{question_code}",
            payload_hash="0" * 64,
            service_id=service.id,
            occurred_at=NOW,
            received_at=NOW,
        )
        session.add(interaction)
        await session.flush()
        assert interaction.id is not None
        pulse = Pulse(interaction_id=interaction.id, service_id=service.id, due_at=NOW)
        session.add(pulse)
        await session.flush()
        assert pulse.id is not None
        row = Answer(
            pulse_id=pulse.id,
            question_id=question.id,
            commitment_id=question.commitment_id,
            respondent="p" * 64,
            value=1,
            answered_at=NOW,
        )
        session.add(row)
        await session.flush()
        assert row.id is not None
        return row.id


def without(text: str, start: str, end: str) -> str:
    """Return `text` with the lines from the one containing `start` up to (not incl.) `end`."""
    head, _, rest = text.partition(start)
    head = head[: head.rfind("\n") + 1]
    _, _, tail = rest.partition(end)
    return head + end + tail


async def test_loading_creates_everything_and_reads_back(
    database: Database, example_text: str
) -> None:
    spec = parse_charter(example_text)
    questions = sum(len(c.questions) for c in spec.commitments)

    report = await load(database, example_text)

    assert report.services == KindCounts(created=5)
    assert report.commitments == KindCounts(created=len(spec.commitments))
    assert report.questions == KindCounts(created=questions)
    assert report.owners == KindCounts(created=6)
    assert report.changed
    assert "created service RH (Ressources humaines)" in report.lines
    stored = await read(database)
    assert stored.services == spec.services
    assert stored.commitments == spec.commitments
    assert stored.schedules() == spec.schedules()
    assert parse_charter(dump_charter(stored)) == stored
    async with database.begin() as session:
        log = (await session.exec(select(Service).where(Service.code == "LOG"))).one()
        assert (log.delay_minutes, log.sampling_percent) == (60, 50)
        assert log.working_hours == "mon-fri 08:30-18:30"
        schedule = await session.get(OwnerSchedule, "U0SGQUAL")
        assert schedule is not None
        assert schedule.schedule == "mon,thu 09:00"


async def test_loading_twice_changes_nothing(database: Database, example_text: str) -> None:
    await load(database, example_text)

    report = await load(database, example_text, NOW + timedelta(days=1))

    assert not report.changed
    assert report.lines == ()
    assert report.services == KindCounts(unchanged=5)
    assert report.owners == KindCounts(unchanged=6)
    assert report.questions.unchanged == sum(
        len(c.questions) for c in parse_charter(example_text).commitments
    )


async def test_a_new_threshold_updates_only_that_commitment(
    database: Database, example_text: str
) -> None:
    await load(database, example_text)
    changed = example_text.replace(
        "metric: nps\n    threshold: 20", "metric: nps\n    threshold: 30"
    )

    report = await load(database, changed)

    assert report.commitments.updated == 1
    assert report.lines == ("updated commitment SI-03: threshold 20.0 -> 30.0",)
    async with database.begin() as session:
        row = (await session.exec(select(Commitment).where(Commitment.code == "SI-03"))).one()
        assert row.threshold == 30


async def test_what_leaves_the_file_is_archived_with_its_answers_kept(
    database: Database, example_text: str
) -> None:
    await load(database, example_text)
    kept_answer = await answer(database, question_code="SI-03-Q1")
    text_answer = await answer(database, question_code="SI-01-Q3")
    smaller = without(example_text, "code: SI-03", "  # --- Communication")
    comment = (
        "      - kind: text\n        text:\n"
        '          fr: "Un commentaire pour l\'équipe du support ?"\n'
        '          en: "Any comment for the support team?"\n'
    )
    assert comment in smaller
    smaller = smaller.replace(comment, "")
    later = NOW + timedelta(days=3)

    report = await load(database, smaller, later)

    assert report.commitments.archived == 1
    assert report.questions.archived == 2  # SI-03's only question and SI-01's comment
    assert "archived commitment SI-03" in report.lines
    assert "archived question SI-01-Q3" in report.lines
    async with database.begin() as session:
        commitment = (
            await session.exec(select(Commitment).where(Commitment.code == "SI-03"))
        ).one()
        assert commitment.archived_at == later
        questions = (
            await session.exec(
                select(Question).where(col(Question.code).in_(["SI-03-Q1", "SI-01-Q3"]))
            )
        ).all()
        assert [q.active for q in questions] == [False, False]
        answers = (await session.exec(select(Answer.id).order_by(col(Answer.id)))).all()
        assert answers == [kept_answer, text_answer]
    stored = await read(database)
    assert "SI-03" not in [c.code for c in stored.commitments]
    si01 = next(c for c in stored.commitments if c.code == "SI-01")
    assert [q.code for q in si01.questions] == ["SI-01-Q1", "SI-01-Q2"]

    restored = await load(database, example_text, later)

    assert "updated commitment SI-03: restored" in restored.lines
    assert "updated question SI-01-Q3: active False -> True" in restored.lines
    async with database.begin() as session:
        commitment = (
            await session.exec(select(Commitment).where(Commitment.code == "SI-03"))
        ).one()
        assert commitment.archived_at is None


async def test_a_removed_service_is_archived_and_its_owner_loses_the_digest(
    database: Database, example_text: str
) -> None:
    await load(database, example_text)
    smaller = without(example_text, "  - code: COMM\n", "  - code: FIN\n")
    smaller = without(smaller, "  # --- Communication", "  # --- Affaires financières")
    smaller = without(smaller, "  - user: U0COM0QUAL", "  - user: U0FIN0QUAL")

    report = await load(database, smaller)

    assert report.services == KindCounts(unchanged=4, archived=1)
    assert report.commitments.archived == 1
    assert report.owners == KindCounts(unchanged=5, archived=1)
    assert "removed digest schedule of U0COM0QUAL (no longer an owner)" in report.lines
    async with database.begin() as session:
        comm = (await session.exec(select(Service).where(Service.code == "COMM"))).one()
        assert comm.archived_at == NOW
        assert await session.get(OwnerSchedule, "U0COM0QUAL") is None
    assert [s.code for s in (await read(database)).services] == ["RH", "LOG", "SI", "FIN"]


async def test_an_answered_question_cannot_change_kind(
    database: Database, example_text: str
) -> None:
    await load(database, example_text)
    await answer(database, question_code="SI-03-Q1")
    changed = example_text.replace(
        "metric: nps\n    threshold: 20", "metric: csat\n    threshold: 80"
    ).replace(
        "      - kind: nps_10\n        text:\n          fr: \"Recommanderiez-vous l'assistance",
        "      - kind: rating_5\n        text:\n          fr: \"Recommanderiez-vous l'assistance",
    )

    with pytest.raises(CharterInvalid) as caught:
        await load(database, changed)

    assert caught.value.errors == [
        "question SI-03-Q1: already has answers, so its kind cannot change from nps_10 to "
        "rating_5: give the new question a new code"
    ]
    async with database.begin() as session:  # the whole load was rolled back
        row = (await session.exec(select(Commitment).where(Commitment.code == "SI-03"))).one()
        assert row.metric == "nps"


async def test_an_unanswered_question_may_change_kind_and_move(
    database: Database, example_text: str
) -> None:
    await load(database, example_text)
    changed = example_text.replace(
        "      - kind: text\n        text:\n          fr: \"Qu'est-ce qui vous aurait",
        "      - kind: yes_no\n        text:\n          fr: \"Qu'est-ce qui vous aurait",
    )

    report = await load(database, changed)

    assert report.lines == ("updated question FIN-02-Q2: kind 'text' -> 'yes_no'",)


async def test_now_must_be_aware(database: Database, example_text: str) -> None:
    async with database.begin() as session:
        with pytest.raises(ValueError, match="aware"):
            await apply_charter(session, spec=parse_charter(example_text), now=datetime(2026, 1, 1))


async def test_an_empty_database_reads_as_an_empty_charter(database: Database) -> None:
    assert await read(database) == CharterSpec(version=1, services=(), commitments=())
