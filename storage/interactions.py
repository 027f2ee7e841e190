"""Bulk writes and reads of interactions and their pulses, for the intake hot path (Core SQL)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple, TypedDict

from sqlalchemy import column, literal_column, select, table, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.expression import TableClause

from storage.tables import Interaction, Pulse, PulseStatus, Service

Key = tuple[str, str]

_INTERACTION = Interaction.__table__  # type: ignore[attr-defined]
_PULSE = Pulse.__table__  # type: ignore[attr-defined]
_SERVICE = Service.__table__  # type: ignore[attr-defined]


def _untyped(name: str, names: Sequence[str]) -> TableClause:
    # The same table with untyped columns: values are bound as given, not passed through
    # UTCDateTime and the dialect's datetime processor per row (a third of the insert's cost
    # at 1000 rows); `_instant_for` converts them once, to exactly what those would produce.
    return table(name, *(column(n) for n in names))


_INTERACTION_ROWS = _untyped("interaction", [c.name for c in _INTERACTION.columns])
_PULSE_ROWS = _untyped("pulse", [c.name for c in _PULSE.columns])


class InteractionValues(TypedDict):
    """The columns of a new interaction row."""

    source: str
    external_id: str
    payload_hash: str
    service_id: int
    beneficiary_user_id: str | None
    beneficiary_email: str | None
    occurred_at: datetime
    reference: str | None
    summary: str | None
    send_after: datetime | None
    callback_url: str | None
    received_at: datetime


class PulseValues(TypedDict):
    """The columns of a new pending pulse (status, attempts and questions are fixed)."""

    interaction_id: int
    service_id: int
    recipient: str | None
    recipient_email: str | None
    due_at: datetime


class StoredInteraction(NamedTuple):
    """An interaction already stored under a key: its ids and payload hash."""

    id: int
    pulse_id: int | None
    payload_hash: str


class ServiceRow(NamedTuple):
    """What intake reads of a service."""

    id: int
    code: str
    delay_minutes: int
    archived_at: datetime | None


def _instant_for(connection: AsyncConnection) -> Callable[[datetime | None], Any]:
    """Return the converter of aware instants to what UTCDateTime stores on this dialect."""
    if connection.dialect.name == "sqlite":
        # SQLAlchemy's SQLite DATETIME text, "YYYY-MM-DD HH:MM:SS.ffffff", of the naive UTC time
        def to_text(value: datetime | None) -> str | None:
            if value is None:
                return None
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

        return to_text

    def to_naive(value: datetime | None) -> datetime | None:
        return None if value is None else value.astimezone(UTC).replace(tzinfo=None)

    return to_naive


def _insert(connection: AsyncConnection, target: TableClause) -> Any:
    if connection.dialect.name == "postgresql":
        return postgresql.insert(target)
    return sqlite.insert(target)


async def insert_interactions(
    connection: AsyncConnection, rows: Sequence[InteractionValues]
) -> dict[Key, int]:
    """Insert the rows whose key is free and return their ids; taken keys are skipped."""
    if not rows:
        return {}
    instant = _instant_for(connection)
    values = []
    for row in rows:
        value: dict[str, Any] = dict(row)
        value["occurred_at"] = instant(row["occurred_at"])
        value["send_after"] = instant(row["send_after"])
        value["received_at"] = instant(row["received_at"])
        values.append(value)
    c = _INTERACTION_ROWS.c
    # another instance may insert the same key meanwhile: ON CONFLICT leaves it to the caller
    statement = (
        _insert(connection, _INTERACTION_ROWS)
        .on_conflict_do_nothing(index_elements=["source", "external_id"])
        .returning(c.id, c.source, c.external_id)
    )
    result = await connection.execute(statement, values)
    return {(source, external_id): id_ for id_, source, external_id in result.all()}


async def insert_pending_pulses(
    connection: AsyncConnection, rows: Sequence[PulseValues]
) -> dict[int, int]:
    """Insert pending pulses and return each one's id by its interaction id."""
    if not rows:
        return {}
    instant = _instant_for(connection)
    values = [{**row, "due_at": instant(row["due_at"])} for row in rows]
    c = _PULSE_ROWS.c
    # constants are written into the statement once rather than bound per row
    statement = (
        _insert(connection, _PULSE_ROWS)
        .values(
            status=literal_column(f"'{PulseStatus.PENDING.value}'"),
            question_ids=literal_column("'[]'"),
            attempts=literal_column("0"),
        )
        .returning(c.id, c.interaction_id)
    )
    result = await connection.execute(statement, values)
    return {interaction_id: id_ for id_, interaction_id in result.all()}


async def find_interactions(
    connection: AsyncConnection, keys: Sequence[Key]
) -> dict[Key, StoredInteraction]:
    """Return the stored interactions (with their pulse) among `keys`."""
    if not keys:
        return {}
    i, p = _INTERACTION.c, _PULSE.c
    statement = (
        select(i.source, i.external_id, i.id, p.id, i.payload_hash)
        .select_from(_INTERACTION.outerjoin(_PULSE, p.interaction_id == i.id))
        .where(tuple_(i.source, i.external_id).in_(keys))
    )
    rows = (await connection.execute(statement)).all()
    return {(s, e): StoredInteraction(id_, pulse, h) for s, e, id_, pulse, h in rows}


async def load_services(connection: AsyncConnection) -> list[ServiceRow]:
    """Return every service's id, code, delay and archival time."""
    s = _SERVICE.c
    statement = select(s.id, s.code, s.delay_minutes, s.archived_at)
    return [ServiceRow(*row) for row in (await connection.execute(statement)).all()]
