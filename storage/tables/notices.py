"""Notices owed to someone because of a pulse: an owner's DM, a source system's callback."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Notice(SQLModel, table=True):
    """An outbox row: written with the event that causes it, delivered (and retried) after."""

    __table_args__ = (
        UniqueConstraint("kind", "pulse_id", "recipient", name="uq_notice_kind_pulse_recipient"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    pulse_id: int = Field(foreign_key="pulse.id", index=True)
    recipient: str = Field(max_length=2000)
    created_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime, index=True)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=300)
