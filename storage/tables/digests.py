"""Digest runs and deliveries, alert state and alert deliveries: the claims that make them once."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel, col

from storage.tables.pulses import Answer, Pulse
from storage.types import UTCDateTime


class DeliveryStatus(StrEnum):
    """Where one digest or alert message stands."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    UNREACHABLE = "unreachable"
    FAILED = "failed"


class DigestRun(SQLModel, table=True):
    """One period of one digest schedule; the unique (key, period) row claims it."""

    __tablename__ = "digest_run"
    __table_args__ = (UniqueConstraint("key", "period_start", name="uq_digest_run_key_period"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80)
    period_start: datetime = Field(sa_type=UTCDateTime)
    fire_time: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)


class DigestDelivery(SQLModel, table=True):
    """The digest of one owner in one run: claimed before the send, settled after."""

    __tablename__ = "digest_delivery"
    __table_args__ = (UniqueConstraint("run_id", "owner", name="uq_digest_delivery_run_owner"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="digest_run.id")
    owner: str = Field(max_length=32)
    status: str = Field(default=DeliveryStatus.SENDING, max_length=16)
    attempts: int = 1
    claimed_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    file_id: str | None = Field(default=None, max_length=32)
    reason: str | None = Field(default=None, max_length=300)


class AlertState(SQLModel, table=True):
    """Per commitment: the last status seen and whether a new alert may go (hysteresis)."""

    __tablename__ = "alert_state"

    commitment_id: int = Field(primary_key=True, foreign_key="commitment.id")
    status: str = Field(max_length=16)
    armed: bool = True
    estimate: float | None = None
    last_alert_on: date | None = None
    updated_at: datetime = Field(sa_type=UTCDateTime)


class AlertDelivery(SQLModel, table=True):
    """One alert to one owner; at most one per commitment, day and owner."""

    __tablename__ = "alert_delivery"
    __table_args__ = (
        UniqueConstraint("commitment_id", "day", "owner", name="uq_alert_delivery_day_owner"),
        Index("ix_alert_delivery_status", "status", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id")
    day: date
    owner: str = Field(max_length=32)
    status: str = Field(default=DeliveryStatus.PENDING, max_length=16)
    level: str = Field(max_length=16)
    created_at: datetime = Field(sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    reason: str | None = Field(default=None, max_length=300)


# The scores read only these columns over a time range per commitment: a covering index lets
# both databases answer from the index alone (no table lookups over millions of answers).
Index(
    "ix_answer_score",
    col(Answer.commitment_id),
    col(Answer.answered_at),
    col(Answer.question_id),
    col(Answer.value),
    col(Answer.respondent),
)
# Response rates count a commitment's pulses sent in a window, by status.
Index("ix_pulse_commitment_sent", col(Pulse.commitment_id), col(Pulse.sent_at), col(Pulse.status))
