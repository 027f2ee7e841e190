"""Keep the cached directory fresh from `users.list` (Tier 2, 200 a page), never per pulse."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from bot.deps import Deps
from domain.directory import (
    DIRECTORY_FRESHNESS,
    DirectoryEntry,
    directory_synced_at,
    mark_directory_synced,
    store_entries,
)

logger = logging.getLogger("ecoute.directory")
PAGE_SIZE = 200


@dataclass
class DirectorySync:
    """One sync at a time per process, shared by the daily job and the dispatcher."""

    deps: Deps
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def refresh(self, *, unless_fresh: bool = True) -> int:
        """Sync the directory (unless another caller just did); return how many people."""
        async with self._lock:
            if unless_fresh:
                async with self.deps.database.begin() as session:
                    synced = await directory_synced_at(session)
                if synced is not None and self.deps.now() - synced < DIRECTORY_FRESHNESS:
                    return 0
            return await sync_directory(self.deps)


async def sync_directory(deps: Deps) -> int:
    """Read the whole workspace directory page by page and store it; return how many people."""
    cursor: str | None = None
    total = 0
    while True:
        page = await deps.slack.users_list(limit=PAGE_SIZE, cursor=cursor, include_locale=True)
        entries = [_entry(member) for member in page.get("members") or []]
        async with deps.database.begin() as session:
            total += await store_entries(session, entries=entries, now=deps.now())
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            break
    async with deps.database.begin() as session:
        await mark_directory_synced(session, now=deps.now())
    logger.info("directory synced: %d people", total)
    return total


def _entry(member: dict[str, Any]) -> DirectoryEntry:
    profile = member.get("profile") or {}
    return DirectoryEntry(
        user_id=str(member["id"]),
        email=profile.get("email"),
        locale=member.get("locale"),
        tz=member.get("tz"),
        deleted=bool(member.get("deleted")),
        is_bot=bool(member.get("is_bot")) or member.get("id") == "USLACKBOT",
    )
