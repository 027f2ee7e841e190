"""Interactions reported by source systems, the pulses they cause and the answers received."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class PulseStatus(StrEnum):
    """Where a pulse stands; the first three are open, the rest final or waiting."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    ANSWERED = "answered"
    EXPIRED = "expired"
    FAILED = "failed"
    UNDELIVERABLE = "undeliverable"
    SKIPPED = "skipped"
    UNSETTLED = "unsettled"


class Interaction(SQLModel, table=True):
    """A service interaction reported once per (source, external_id)."""

    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_interaction_source_key"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64)
    external_id: str = Field(max_length=200)
    payload_hash: str = Field(max_length=64)
    service_id: int = Field(foreign_key="service.id", index=True)
    beneficiary_user_id: str | None = Field(default=None, max_length=32)
    beneficiary_email: str | None = Field(default=None, max_length=254)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    reference: str | None = Field(default=None, max_length=200)
    summary: str | None = Field(default=None, max_length=500)
    send_after: datetime | None = Field(default=None, sa_type=UTCDateTime)
    callback_url: str | None = Field(default=None, max_length=2000)
    received_at: datetime = Field(sa_type=UTCDateTime)


class Pulse(SQLModel, table=True):
    """The outbox row of one interaction: what to send, to whom, and what became of it."""

    __table_args__ = (
        Index("ix_pulse_status_due", "status", "due_at"),
        Index("ix_pulse_recipient_status", "recipient", "status"),
        Index("ix_pulse_respondent_sent", "respondent", "sent_at"),
        Index("ix_pulse_open_expiry", "closed_at", "expires_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    interaction_id: int = Field(foreign_key="interaction.id", unique=True)
    service_id: int = Field(foreign_key="service.id", index=True)
    status: str = Field(default=PulseStatus.PENDING, max_length=16)
    recipient: str | None = Field(default=None, max_length=32)
    recipient_email: str | None = Field(default=None, max_length=254)
    respondent: str | None = Field(default=None, max_length=64)
    locale: str | None = Field(default=None, max_length=8)
    commitment_id: int | None = Field(default=None, foreign_key="commitment.id")
    question_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    due_at: datetime = Field(sa_type=UTCDateTime)
    attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    settled: bool | None = None
    reason: str | None = Field(default=None, max_length=300)


class Answer(SQLModel, table=True):
    """One answer to one question of one pulse, under the respondent's pseudonym."""

    __table_args__ = (
        UniqueConstraint("pulse_id", "question_id", name="uq_answer_pulse_question"),
        Index("ix_answer_commitment_time_value", "commitment_id", "answered_at", "value"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pulse_id: int = Field(foreign_key="pulse.id")
    question_id: int = Field(foreign_key="question.id")
    commitment_id: int = Field(foreign_key="commitment.id")
    respondent: str = Field(max_length=64)
    value: int
    answered_at: datetime = Field(sa_type=UTCDateTime)


class Comment(SQLModel, table=True):
    """Free text left after a pulse, attached to the pulse's commitment."""

    __table_args__ = (Index("ix_comment_commitment_time", "commitment_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    pulse_id: int = Field(foreign_key="pulse.id", unique=True)
    commitment_id: int = Field(foreign_key="commitment.id")
    respondent: str = Field(max_length=64)
    text: str = Field(max_length=3000)
    created_at: datetime = Field(sa_type=UTCDateTime)


class SlackEvent(SQLModel, table=True):
    """Events API deliveries already handled, so Slack's retries change nothing."""

    __tablename__ = "slack_event"

    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = Field(sa_type=UTCDateTime)
