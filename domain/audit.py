"""The audit log: every change is appended (who, when, what, before, after), never edited."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import AuditEntry

if TYPE_CHECKING:
    from domain.roles import Caller

MAX_SHOWN = 30


async def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    target: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    now: datetime,
) -> AuditEntry:
    """Append one entry in the caller's transaction, so it exists exactly when the change does."""
    entry = AuditEntry(
        at=now,
        actor=actor,
        action=action,
        target=target[:64],
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
    )
    session.add(entry)
    await session.flush()
    return entry


async def latest(session: AsyncSession, *, caller: Caller, limit: int = 10) -> list[AuditEntry]:
    """Return the newest entries first (admins only)."""
    caller.require_admin()
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(max(1, limit))
    return list((await session.exec(query)).all())


def changed(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return only the fields that differ, as (before, after)."""
    keys = [key for key in dict.fromkeys([*before, *after]) if before.get(key) != after.get(key)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
