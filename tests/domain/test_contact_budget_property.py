"""No sequence of interactions breaks the contact budget (property-based, real SQLite file)."""

from __future__ import annotations

import asyncio
import itertools
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from domain.directory import mark_directory_synced
from domain.dispatch import Outcome, claim_due, keep_one_per_person, mark_sent, prepare
from domain.etiquette import Etiquette
from domain.privacy import Pseudonymizer
from storage.engine import Database, open_database
from storage.tables import Commitment, Interaction, Person, Pulse, Question, Service

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
PEOPLE = ("U0A", "U0B", "U0C")
ETIQUETTE = Etiquette()
PSEUDONYMIZE = Pseudonymizer(b"k")

# Each interaction: who, which service, how many hours after START it happens.
events = st.lists(
    st.tuples(
        st.sampled_from(PEOPLE),
        st.sampled_from(["SI", "RH"]),
        st.integers(min_value=0, max_value=24 * 80),
    ),
    min_size=1,
    max_size=25,
)


async def _charter(database: Database) -> dict[str, int]:
    async with database.begin() as session:
        ids: dict[str, int] = {}
        for code in ("SI", "RH"):
            service = Service(code=code, name=code, owners=[], working_hours="any", holidays="none")
            session.add(service)
            await session.flush()
            ids[code] = service.id or 0
            for n in (1, 2):
                commitment = Commitment(
                    code=f"{code}-0{n}",
                    service_id=service.id,
                    title="t",
                    metric="csat",
                    threshold=80,
                    owners=[],
                )
                session.add(commitment)
                await session.flush()
                session.add(
                    Question(
                        code=f"{code}-0{n}-Q1",
                        commitment_id=commitment.id or 0,
                        kind="rating_5",
                        text_fr="q",
                        text_en="q",
                    )
                )
        session.add_all(Person(user_id=p, tz="Europe/Paris") for p in PEOPLE)
        await mark_directory_synced(session, now=START + timedelta(days=365))
    return ids


async def _run(database: Database, specs: list[tuple[str, str, int]]) -> None:
    services = await _charter(database)
    for index, (user, service, hours) in enumerate(sorted(specs, key=lambda s: s[2])):
        now = START + timedelta(hours=hours)
        async with database.begin() as session:
            interaction = Interaction(
                source="t",
                external_id=str(index),
                payload_hash="0",
                service_id=services[service],
                beneficiary_user_id=user,
                occurred_at=now,
                received_at=now,
            )
            session.add(interaction)
            await session.flush()
            session.add(
                Pulse(
                    interaction_id=interaction.id or 0,
                    service_id=services[service],
                    recipient=user,
                    due_at=now,
                )
            )
        async with database.begin() as session:
            claimed = await claim_due(session, now=now, limit=50)
            prepared = [
                await prepare(
                    session,
                    claimed=c,
                    now=now,
                    pseudonymize=PSEUDONYMIZE,
                    default_locale="fr",
                    etiquette=ETIQUETTE,
                    zone=ZoneInfo("Europe/Paris"),
                )
                for c in claimed
            ]
            for item in await keep_one_per_person(session, prepared=prepared, now=now):
                assert item.outcome is Outcome.READY
                await mark_sent(
                    session,
                    pulse_id=item.claimed.pulse_id,
                    channel="D",
                    ts=str(index),
                    now=now,
                    response_window=ETIQUETTE.response_window,
                )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=events)
def test_no_sequence_breaks_the_contact_budget(sqlite_template: Path, specs) -> None:
    async def scenario() -> None:
        folder = Path(tempfile.mkdtemp())
        shutil.copyfile(sqlite_template, folder / "e.db")
        database = open_database(f"sqlite+aiosqlite:///{folder / 'e.db'}")
        try:
            await _run(database, specs)
            async with database.begin() as session:
                sent = (
                    await session.exec(
                        select(Pulse)
                        .where(col(Pulse.sent_at).is_not(None))
                        .order_by(col(Pulse.sent_at))
                    )
                ).all()
        finally:
            await database.dispose()
            shutil.rmtree(folder)
        for person in PEOPLE:
            mine = [p for p in sent if p.recipient == person]
            for earlier, later in itertools.pairwise(mine):
                assert later.sent_at - earlier.sent_at >= ETIQUETTE.cooldown
            for a in mine:
                for b in mine:
                    if a.id != b.id and a.commitment_id == b.commitment_id:
                        assert abs(a.sent_at - b.sent_at) >= ETIQUETTE.commitment_cooldown
        # Someone is always asked: the first interaction of each person is never lost.
        assert {p.recipient for p in sent} == {user for user, _, _ in specs}

    asyncio.run(scenario())
