"""Retention leaves nothing past its limit; erasure leaves no trace of the person."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from domain.privacy import Pseudonymizer
from domain.retention import RetentionPolicy, apply_retention
from domain.subject_rights import erase_person, export_person
from storage.engine import Database, open_database
from storage.tables import (
    Answer,
    Comment,
    Commitment,
    Interaction,
    Person,
    Pulse,
    Question,
    Service,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PSEUDONYMIZE = Pseudonymizer(b"test-key")
PEOPLE = ("U0ALICE", "U0BOB", "U0CHLOE")

# One pulse: who, how long ago it closed (None: still open, so `sent`), its closing status.
pulse_specs = st.lists(
    st.tuples(
        st.sampled_from(PEOPLE),
        st.one_of(st.none(), st.integers(min_value=0, max_value=900)),
        st.sampled_from(["answered", "expired", "failed", "skipped"]),
    ),
    min_size=1,
    max_size=12,
)


async def _seed(database: Database, specs: list[tuple[str, int | None, str]]) -> None:
    async with database.begin() as session:
        service = Service(code="SI", name="Informatique", owners=["U0OWNER"])
        session.add(service)
        await session.flush()
        commitment = Commitment(
            code="SI-01", service_id=service.id, title="t", metric="csat", threshold=80, owners=[]
        )
        session.add(commitment)
        await session.flush()
        question = Question(
            code="SI-01-Q1",
            commitment_id=commitment.id or 0,
            kind="rating_5",
            text_fr="q",
            text_en="q",
        )
        session.add(question)
        await session.flush()
        session.add_all(Person(user_id=p, email=f"{p.lower()}@x.fr") for p in PEOPLE)
        for index, (user, closed_days_ago, status) in enumerate(specs):
            closed = None if closed_days_ago is None else NOW - timedelta(days=closed_days_ago)
            status = "sent" if closed is None else status
            when = (closed or NOW) - timedelta(days=1)
            interaction = Interaction(
                source="api",
                external_id=f"e{index}",
                payload_hash="0" * 64,
                service_id=service.id or 0,
                beneficiary_user_id=user,
                occurred_at=when,
                reference="REF",
                summary="Poste bloqué",
                received_at=when,
            )
            session.add(interaction)
            await session.flush()
            pulse = Pulse(
                interaction_id=interaction.id or 0,
                service_id=service.id or 0,
                status=status,
                recipient=user,
                respondent=PSEUDONYMIZE(user),
                commitment_id=commitment.id,
                question_ids=[question.id or 0],
                due_at=when,
                sent_at=when,
                channel="D1",
                ts="1.1",
                closed_at=closed,
            )
            session.add(pulse)
            await session.flush()
            if status == "answered" or closed is None:
                session.add(
                    Answer(
                        pulse_id=pulse.id or 0,
                        question_id=question.id or 0,
                        commitment_id=commitment.id or 0,
                        respondent=PSEUDONYMIZE(user),
                        value=4,
                        answered_at=when,
                    )
                )
                session.add(
                    Comment(
                        pulse_id=pulse.id or 0,
                        commitment_id=commitment.id or 0,
                        respondent=PSEUDONYMIZE(user),
                        text="merci",
                        created_at=when,
                    )
                )


def _fresh(template: Path) -> tuple[Database, Path]:
    folder = Path(tempfile.mkdtemp())
    shutil.copyfile(template, folder / "e.db")
    return open_database(f"sqlite+aiosqlite:///{folder / 'e.db'}"), folder


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=pulse_specs)
def test_retention_leaves_nothing_past_its_limit(sqlite_template: Path, specs) -> None:
    policy = RetentionPolicy(identity_after_close=timedelta(days=30), answers=timedelta(days=730))

    async def scenario() -> None:
        database, folder = _fresh(sqlite_template)
        try:
            await _seed(database, specs)
            async with database.begin() as session:
                await apply_retention(session, now=NOW, policy=policy)
            async with database.begin() as session:
                for pulse in (await session.exec(select(Pulse))).all():
                    long_closed = (
                        pulse.closed_at is not None and pulse.closed_at <= NOW - timedelta(days=30)
                    )
                    assert (pulse.recipient is None) == long_closed
                    interaction = await session.get_one(Interaction, pulse.interaction_id)
                    assert (interaction.beneficiary_user_id is None) == long_closed
                    assert pulse.respondent is not None  # the pseudonym stays
                old = NOW - timedelta(days=730)
                assert all(a.answered_at >= old for a in (await session.exec(select(Answer))).all())
                assert all(c.created_at >= old for c in (await session.exec(select(Comment))).all())
            async with database.begin() as session:  # a second pass finds nothing more
                again = await apply_retention(session, now=NOW, policy=policy)
            assert (again.unlinked_pulses, again.deleted_answers, again.deleted_comments) == (
                0,
                0,
                0,
            )
        finally:
            await database.dispose()
            shutil.rmtree(folder)

    asyncio.run(scenario())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=pulse_specs, who=st.sampled_from(PEOPLE))
def test_erasure_leaves_no_trace_of_the_person(sqlite_template: Path, specs, who: str) -> None:
    async def scenario() -> None:
        database, folder = _fresh(sqlite_template)
        try:
            await _seed(database, specs)
            async with database.begin() as session:
                before = await export_person(session, user_id=who, pseudonymize=PSEUDONYMIZE)
                others = {
                    p: len(
                        (await export_person(session, user_id=p, pseudonymize=PSEUDONYMIZE))[
                            "answers"
                        ]
                    )
                    for p in PEOPLE
                    if p != who
                }
                await erase_person(session, user_id=who, pseudonymize=PSEUDONYMIZE)
            async with database.begin() as session:
                after = await export_person(session, user_id=who, pseudonymize=PSEUDONYMIZE)
                for p, count in others.items():
                    exported = await export_person(session, user_id=p, pseudonymize=PSEUDONYMIZE)
                    assert len(exported["answers"]) == count  # nobody else loses anything
            assert len(before["pulses"]) == sum(1 for user, _, _ in specs if user == who)
            assert after["person"] is None
            assert after["pulses"] == after["answers"] == after["comments"] == []
            assert after["interactions"] == after["roles"] == []
        finally:
            await database.dispose()
            shutil.rmtree(folder)

    asyncio.run(scenario())


async def test_an_objection_outlives_erasure(database: Database) -> None:
    async with database.begin() as session:
        session.add(Person(user_id="U0DAVE", email="dave@x.fr", opted_out=True))
    async with database.begin() as session:
        await erase_person(session, user_id="U0DAVE", pseudonymize=PSEUDONYMIZE)
    async with database.begin() as session:
        person = await session.get_one(Person, "U0DAVE")
        assert person.opted_out
        assert person.email is None
        rows = (await session.exec(select(Person).where(col(Person.email) == "dave@x.fr"))).all()
        assert rows == []
