"""The intake's bulk writes store instants exactly as the ORM does, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import text
from sqlmodel import select

from storage.engine import Database
from storage.interactions import (
    InteractionValues,
    find_interactions,
    insert_interactions,
    insert_pending_pulses,
    load_services,
)
from storage.tables import Interaction, Pulse, Service

PARIS = timezone(timedelta(hours=1))


def values(external_id: str, service_id: int, moment: datetime) -> InteractionValues:
    return {
        "source": "glpi",
        "external_id": external_id,
        "payload_hash": "0" * 64,
        "service_id": service_id,
        "beneficiary_user_id": "U0123ABCD",
        "beneficiary_email": None,
        "occurred_at": moment,
        "reference": None,
        "summary": None,
        "send_after": None,
        "received_at": moment,
    }


async def test_bulk_rows_match_orm_rows(database: Database) -> None:
    whole = datetime(2025, 3, 1, 9, 30, tzinfo=PARIS)  # no microseconds: the tricky format
    fine = datetime(2025, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)
    async with database.begin() as session:
        service = Service(code="RH", name="RH")
        session.add(service)
        await session.flush()
        assert service.id is not None
        service_id = service.id
        for n, moment in enumerate((whole, fine)):
            session.add(
                Interaction(
                    source="orm",
                    external_id=str(n),
                    payload_hash="0" * 64,
                    service_id=service_id,
                    occurred_at=moment,
                    received_at=moment,
                )
            )

    async with database.engine.begin() as connection:
        ids = await insert_interactions(
            connection, [values("0", service_id, whole), values("1", service_id, fine)]
        )
        # a taken key is skipped, not an error
        again = await insert_interactions(connection, [values("0", service_id, fine)])
        pulses = await insert_pending_pulses(
            connection,
            [
                {
                    "interaction_id": ids[("glpi", "0")],
                    "service_id": service_id,
                    "recipient": "U0123ABCD",
                    "recipient_email": None,
                    "due_at": whole,
                }
            ],
        )
        raw = (
            await connection.execute(
                text("SELECT source, external_id, occurred_at FROM interaction ORDER BY id")
            )
        ).all()
        found = await find_interactions(connection, [("glpi", "0"), ("glpi", "1"), ("x", "y")])
        services = await load_services(connection)

    assert again == {}
    stored = {(source, ext): at for source, ext, at in raw}
    assert stored[("glpi", "0")] == stored[("orm", "0")]
    assert stored[("glpi", "1")] == stored[("orm", "1")]
    assert found[("glpi", "0")].pulse_id == pulses[ids[("glpi", "0")]]
    assert found[("glpi", "1")].pulse_id is None
    assert ("x", "y") not in found
    assert [(s.code, s.archived_at) for s in services] == [("RH", None)]

    async with database.begin() as session:
        # the ORM finds bulk rows by instant, and reads them back aware and equal
        row = (
            await session.exec(
                select(Interaction).where(
                    Interaction.source == "glpi", Interaction.occurred_at == whole
                )
            )
        ).one()
        assert row.occurred_at == whole
        pulse = (await session.exec(select(Pulse))).one()
        assert (pulse.due_at, pulse.status, pulse.question_ids, pulse.attempts) == (
            whole,
            "pending",
            [],
            0,
        )
