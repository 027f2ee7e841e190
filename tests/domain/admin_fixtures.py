"""A database holding the scenarios' small charter, and callers of every role."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import col, select

from domain.charter import apply_charter, parse_charter
from domain.roles import Caller
from storage.engine import Database
from storage.tables import AuditEntry, Commitment

CHARTER = Path(__file__).parents[1] / "scenarios" / "charter.yaml"
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ADMIN = Caller(user_id="U0ADMIN", locale="fr", admin=True)
AGENT = Caller(user_id="U0AGENT01", locale="fr")


async def load(database: Database) -> None:
    """Load the small charter (SI with SI-01, RH with RH-01)."""
    async with database.begin() as session:
        spec = parse_charter(CHARTER.read_text(encoding="utf-8"))
        await apply_charter(session, spec=spec, now=NOW)


async def owner(database: Database, user_id: str = "U0SI0QUAL") -> Caller:
    """Return the SI owner as a caller owning SI-01."""
    async with database.begin() as session:
        row = (await session.exec(select(Commitment).where(Commitment.code == "SI-01"))).one()
    return Caller(user_id=user_id, locale="fr", owner=True, owned=frozenset({row.id or 0}))


async def audit_rows(database: Database) -> list[AuditEntry]:
    """Return the audit log, oldest first."""
    async with database.begin() as session:
        return list((await session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))).all())


async def commitment(database: Database, code: str) -> Commitment:
    """Return one commitment row."""
    async with database.begin() as session:
        return (await session.exec(select(Commitment).where(Commitment.code == code))).one()
