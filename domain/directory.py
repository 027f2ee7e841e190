"""The cached Slack directory: people by id and email, refreshed from `users.list` pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Marker, Person
from storage.upsert import insert_for

DIRECTORY_MARKER = "directory_synced"
# users.list is Tier 2 at 200 a page: 150,000 people take about 40 minutes, so once a day.
DIRECTORY_FRESHNESS = timedelta(hours=24)


@dataclass(frozen=True)
class DirectoryEntry:
    """One person as `users.list` describes them."""

    user_id: str
    email: str | None
    locale: str | None
    tz: str | None
    deleted: bool
    is_bot: bool


async def store_entries(
    session: AsyncSession, *, entries: Sequence[DirectoryEntry], now: datetime
) -> int:
    """Upsert a page of directory entries, keeping each person's own choices (opt-out)."""
    if not entries:
        return 0
    rows = [
        {
            "user_id": e.user_id,
            "email": e.email.lower() if e.email else None,
            "locale": e.locale,
            "tz": e.tz,
            "deleted": e.deleted,
            "is_bot": e.is_bot,
            "opted_out": False,
            "synced_at": now,
        }
        for e in entries
    ]
    insert = insert_for(session, Person)
    statement = insert.values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["user_id"],
        set_={
            name: getattr(statement.excluded, name)
            for name in ("email", "locale", "tz", "deleted", "is_bot", "synced_at")
        },
    )
    await session.exec(statement)
    return len(rows)


async def mark_directory_synced(session: AsyncSession, *, now: datetime) -> None:
    """Record that the whole directory was read at `now`."""
    marker = await session.get(Marker, DIRECTORY_MARKER)
    if marker is None:
        marker = Marker(name=DIRECTORY_MARKER, at=now)
    marker.at = now
    session.add(marker)


async def directory_synced_at(session: AsyncSession) -> datetime | None:
    """Return when the directory was last read in full, if ever."""
    marker = await session.get(Marker, DIRECTORY_MARKER)
    return marker.at if marker else None


async def find_by_email(session: AsyncSession, *, email: str) -> Person | None:
    """Return the live person with this email (case-insensitive), if the directory knows one."""
    rows = await session.exec(select(Person).where(Person.email == email.lower()))
    return rows.first()
