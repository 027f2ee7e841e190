"""POST /api/v1/interactions over real HTTP: accept, replay, conflict, refusals, outages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from intake_support import (
    IntakeClient,
    Signer,
    add_service,
    count_rows,
    interaction,
    start_intake,
)
from sqlalchemy import text
from sqlmodel import select

from bot.config import Settings
from storage.engine import Database, open_database
from storage.tables import Interaction, Pulse


async def stored(database: Database, interaction_id: int) -> tuple[Interaction, Pulse]:
    async with database.begin() as session:
        row = (
            await session.exec(select(Interaction).where(Interaction.id == interaction_id))
        ).one()
        pulse = (
            await session.exec(select(Pulse).where(Pulse.interaction_id == interaction_id))
        ).one()
    return row, pulse


async def test_one_interaction_is_stored_with_its_pending_pulse(
    intake: IntakeClient, database: Database, service_id: int
) -> None:
    sent = interaction("INC-1", reference="INC-1", summary="Badge renouvelé")
    response, body = await intake.post(sent)

    assert response.status == 202
    assert response.content_type == "application/json"
    [receipt] = body["interactions"]
    assert receipt["status"] == "accepted"
    assert (receipt["source"], receipt["external_id"]) == ("glpi", "INC-1")
    row, pulse = await stored(database, receipt["interaction_id"])
    assert pulse.id == receipt["pulse_id"]
    assert row.service_id == pulse.service_id == service_id
    assert row.occurred_at == datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    assert (row.reference, row.summary, row.beneficiary_user_id) == (
        "INC-1",
        "Badge renouvelé",
        "U0123ABCD",
    )
    assert len(row.payload_hash) == 64
    assert pulse.status == "pending"
    assert (pulse.recipient, pulse.recipient_email) == ("U0123ABCD", None)
    assert pulse.question_ids == []
    assert pulse.attempts == 0
    # the service's delay (120 minutes) after the interaction, even though that is long past
    assert pulse.due_at == row.occurred_at + timedelta(minutes=120)


async def test_email_beneficiary_and_send_after(intake: IntakeClient, database: Database) -> None:
    sent = interaction(
        beneficiary={"email": "Jeanne.Martin@Finances.Gouv.fr"},
        send_after="2030-01-02T09:00:00+01:00",
    )
    response, body = await intake.post(sent)

    assert response.status == 202
    row, pulse = await stored(database, body["interactions"][0]["interaction_id"])
    assert row.beneficiary_email == pulse.recipient_email == "jeanne.martin@finances.gouv.fr"
    assert pulse.recipient is None
    assert pulse.due_at == datetime(2030, 1, 2, 8, 0, tzinfo=UTC)


async def test_a_batch_answers_one_receipt_per_item_in_order(
    intake: IntakeClient, database: Database
) -> None:
    items = [interaction(f"B-{n}") for n in range(5)]
    response, body = await intake.post({"interactions": items})

    assert response.status == 202
    assert [r["external_id"] for r in body["interactions"]] == [f"B-{n}" for n in range(5)]
    assert {r["status"] for r in body["interactions"]} == {"accepted"}
    assert len({r["interaction_id"] for r in body["interactions"]}) == 5
    assert await count_rows(database) == (5, 5)


async def test_a_replay_answers_the_same_ids_and_creates_nothing(
    intake: IntakeClient, database: Database
) -> None:
    sent = interaction("R-1")
    _, first = await intake.post(sent)
    response, again = await intake.post(sent)

    assert response.status == 202
    assert again["interactions"][0] == {**first["interactions"][0], "status": "duplicate"}
    assert await count_rows(database) == (1, 1)


async def test_a_replay_equal_after_normalisation_is_a_duplicate(intake: IntakeClient) -> None:
    await intake.post(interaction("N-1", beneficiary={"email": "a.b@example.fr"}))
    # same instant in another offset, same address in other case, explicit default source
    response, body = await intake.post(
        interaction(
            "N-1",
            beneficiary={"email": "A.B@Example.FR"},
            occurred_at="2025-03-01T08:30:00Z",
            reference=None,
        )
    )
    assert (response.status, body["interactions"][0]["status"]) == (202, "duplicate")


async def test_a_batch_mixing_new_and_replayed_items(
    intake: IntakeClient, database: Database
) -> None:
    old = interaction("M-1")
    _, first = await intake.post(old)
    response, body = await intake.post({"interactions": [interaction("M-0"), old]})

    assert response.status == 202
    statuses = [(r["external_id"], r["status"]) for r in body["interactions"]]
    assert statuses == [("M-0", "accepted"), ("M-1", "duplicate")]
    assert body["interactions"][1]["interaction_id"] == first["interactions"][0]["interaction_id"]
    assert await count_rows(database) == (2, 2)


async def test_a_changed_payload_under_a_known_key_is_409_and_the_batch_writes_nothing(
    intake: IntakeClient, database: Database
) -> None:
    await intake.post(interaction("C-1", summary="first"))
    response, body = await intake.post(
        {"interactions": [interaction("C-new"), interaction("C-1", summary="second")]}
    )

    assert response.status == 409
    assert body["error"] == "conflict"
    [item] = body["items"]
    assert (item["path"], item["source"], item["external_id"]) == ("interactions[1]", "glpi", "C-1")
    assert await count_rows(database) == (1, 1)


async def test_a_single_conflict_names_the_body(intake: IntakeClient) -> None:
    await intake.post(interaction("C-2"))
    response, body = await intake.post(interaction("C-2", service="RH", summary="changed"))
    assert response.status == 409
    assert body["items"][0]["path"] == "body"


async def test_one_bad_item_refuses_the_whole_batch(
    intake: IntakeClient, database: Database
) -> None:
    items = [interaction("A-1"), interaction("A-2", service="XX"), interaction("A-3")]
    response, body = await intake.post({"interactions": items})

    assert response.status == 422
    assert body["fields"] == [{"path": "interactions[1].service", "reason": "unknown service 'XX'"}]
    assert await count_rows(database) == (0, 0)


async def test_422_names_every_offending_field(intake: IntakeClient, database: Database) -> None:
    items = [
        interaction("F-0", source="GLPI!"),
        interaction("F-1", beneficiary={"slack_user_id": "U0123ABCD", "email": "a@b.fr"}),
        interaction("F-2", occurred_at="2025-03-01T09:30:00"),
        interaction("F-3", colour="blue"),
        interaction("F-4", beneficiary={"slack_user_id": "alice"}),
        {"source": "glpi"},
        {**interaction(summary="x" * 501, send_after="tomorrow"), "external_id": ""},
    ]
    response, body = await intake.post({"interactions": items})

    assert response.status == 422
    assert body["error"] == "invalid"
    paths = {field["path"] for field in body["fields"]}
    assert paths == {
        "interactions[0].source",
        "interactions[1].beneficiary",
        "interactions[2].occurred_at",
        "interactions[3].colour",
        "interactions[4].beneficiary.slack_user_id",
        "interactions[5].external_id",
        "interactions[5].service",
        "interactions[5].beneficiary",
        "interactions[5].occurred_at",
        "interactions[6].external_id",
        "interactions[6].summary",
        "interactions[6].send_after",
    }
    reasons = {field["path"]: field["reason"] for field in body["fields"]}
    assert reasons["interactions[3].colour"] == "unknown field"
    assert reasons["interactions[5].service"] == "required"
    assert "Slack user id" in reasons["interactions[4].beneficiary.slack_user_id"]
    assert await count_rows(database) == (0, 0)


async def test_422_for_domain_problems_lists_each_item(
    intake: IntakeClient, database: Database
) -> None:
    await add_service(database, "OLD", archived=True)
    items = [interaction("D-1"), interaction("D-1"), interaction("D-2", service="OLD")]
    response, body = await intake.post({"interactions": items})

    assert response.status == 422
    assert body["fields"] == [
        {
            "path": "interactions[1].external_id",
            "reason": "repeats the source and external_id of item 0",
        },
        {"path": "interactions[2].service", "reason": "service 'OLD' is archived"},
    ]


async def test_422_for_malformed_json_and_wrong_shapes(intake: IntakeClient) -> None:
    cases = [
        (b"{not json", "body"),
        (b"", "body"),
        (b"[1, 2]", "body"),
        (b'"text"', "body"),
        (b'{"interactions": []}', "interactions"),
        (b'{"interactions": {}}', "interactions"),
        (b'{"interactions": [1]}', "interactions[0]"),
        (b'{"interactions": [], "extra": 1}', "extra"),
        (b'{"external_id": "\\ud800"}', "body"),
        (b'{"external_id": NaN}', "body"),
    ]
    for payload, path in cases:
        response, body = await intake.post(payload)
        assert response.status == 422, payload
        assert path in {field["path"] for field in body["fields"]}, (payload, body)


async def test_more_than_1000_items_is_422(intake: IntakeClient) -> None:
    items = [interaction(f"L-{n}") for n in range(1001)]
    response, body = await intake.post({"interactions": items})
    assert response.status == 422
    assert body["fields"][0]["path"] == "interactions"


async def test_a_body_over_the_limit_is_413(
    settings: Settings, database: Database, service_id: int
) -> None:
    small = settings.model_copy(update={"max_body_bytes": 2048})
    http = await start_intake(small, database)
    client = IntakeClient(http, Signer(settings.intake_secrets[0].get_secret_value()))
    try:
        items = [interaction(f"S-{n}") for n in range(20)]
        response, body = await client.post({"interactions": items})
        assert (response.status, body["error"]) == (413, "too_large")

        # without Content-Length (chunked), the limit holds while reading
        raw = b'{"interactions": [' + b" " * 4096 + b"]}"

        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(raw), 512):
                yield raw[start : start + 512]

        headers = client.signer.headers(raw)
        response = await http.post("/api/v1/interactions", data=chunks(), headers=headers)
        assert response.status == 413
        assert (await response.json())["error"] == "too_large"
    finally:
        await http.close()
    assert await count_rows(database) == (0, 0)


async def test_a_body_that_is_not_json_is_415(intake: IntakeClient) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response, body = await intake.post(interaction(), headers={"content-type": content_type})
        assert (response.status, body["error"]) == (415, "unsupported_media_type")


async def test_concurrent_requests_each_get_their_own_ids(
    intake: IntakeClient, database: Database
) -> None:
    results = await asyncio.gather(*(intake.post(interaction(f"P-{n}")) for n in range(60)))

    assert {response.status for response, _ in results} == {202}
    ids = [body["interactions"][0]["interaction_id"] for _, body in results]
    pulses = [body["interactions"][0]["pulse_id"] for _, body in results]
    assert len(set(ids)) == len(set(pulses)) == 60
    assert [body["interactions"][0]["external_id"] for _, body in results] == [
        f"P-{n}" for n in range(60)
    ]
    assert await count_rows(database) == (60, 60)


async def test_concurrent_replays_of_one_key_store_it_once(
    intake: IntakeClient, database: Database
) -> None:
    sent = interaction("Q-1")
    changed = interaction("Q-1", summary="other")
    results = await asyncio.gather(*(intake.post(sent) for _ in range(10)), intake.post(changed))

    outcomes = [
        body["interactions"][0]["status"] if response.status == 202 else response.status
        for response, body in results
    ]
    # whichever copy reached the writer first is stored; the rest replay it or conflict
    if outcomes[10] == "accepted":
        assert outcomes[:10] == [409] * 10
    else:
        assert sorted(outcomes[:10]) == ["accepted"] + ["duplicate"] * 9
        assert outcomes[10] == 409
        ids = {body["interactions"][0]["interaction_id"] for _, body in results[:10]}
        assert len(ids) == 1
    assert await count_rows(database) == (1, 1)


async def test_a_new_service_is_usable_at_once_despite_the_cache(
    settings: Settings, database: Database, service_id: int
) -> None:
    http = await start_intake(settings, database, service_ttl=60)
    client = IntakeClient(http, Signer(settings.intake_secrets[0].get_secret_value()))
    try:
        assert (await client.post(interaction()))[0].status == 202
        await add_service(database, "LOG")
        assert (await client.post(interaction(service="LOG")))[0].status == 202
    finally:
        await http.close()


async def test_the_database_unreachable_is_503_with_retry_after(
    settings: Settings, tmp_path: Path, database: Database
) -> None:
    if settings.is_sqlite:
        url = f"sqlite+aiosqlite:///{tmp_path}/missing/dir/ecoute.db"
    else:
        url = "postgresql+asyncpg://postgres@127.0.0.1:1/ecoute"
    gone = open_database(url)
    http = await start_intake(settings.model_copy(update={"database_url": url}), gone)
    client = IntakeClient(http, Signer(settings.intake_secrets[0].get_secret_value()))
    try:
        for payload in (interaction(), {"interactions": [interaction(), interaction()]}):
            response, body = await client.post(payload)
            assert response.status == 503
            assert response.headers["Retry-After"] == "5"
            assert body["error"] == "unavailable"
    finally:
        await http.close()
        await gone.dispose()
        # aiosqlite queues a stop after a failed connect and answers it on this loop: let it
        await asyncio.sleep(0.1)


@pytest.mark.backends("postgres")  # only a server can drop a connection under us
async def test_a_killed_postgres_connection_is_replaced(
    settings: Settings, database: Database, service_id: int
) -> None:
    http = await start_intake(settings, database)
    client = IntakeClient(http, Signer(settings.intake_secrets[0].get_secret_value()))
    try:
        assert (await client.post(interaction()))[0].status == 202
        async with database.engine.connect() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        # the writer's kept connection is dead: the group is rerun on a new one
        response, body = await client.post(interaction())
        assert response.status == 202, body
    finally:
        await http.close()
    assert await count_rows(database) == (2, 2)


async def test_the_openapi_document_is_served(intake: IntakeClient) -> None:
    response = await intake.http.get("/api/v1/openapi.json")
    assert response.status == 200
    assert response.content_type == "application/json"
    document = await response.json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/interactions" in document["paths"]


async def test_a_callback_url_is_stored_and_part_of_the_payload(
    intake: IntakeClient, database: Database
) -> None:
    hook = "https://tickets.example.gouv.fr/hooks/ecoute"
    response, _ = await intake.post(interaction("CB1", callback_url=hook))
    assert response.status == 202
    async with database.begin() as session:
        stored = (await session.exec(select(Interaction))).one()
    assert stored.callback_url == hook
    changed, _ = await intake.post(interaction("CB1", callback_url=hook + "/other"))
    assert changed.status == 409
    refused, body = await intake.post(interaction("CB2", callback_url="ftp://example.org/x"))
    assert refused.status == 422
    assert body["fields"][0]["path"] == "callback_url"
