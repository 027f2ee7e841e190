"""The service charter: services, commitments, questions, owners' digest schedules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Service(SQLModel, table=True):
    """A service line of the Secrétariat général (RH, logistique, informatique, ...)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    owners: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    channel: str | None = Field(default=None, max_length=32)
    delay_minutes: int = 120
    sampling_percent: int = 100
    working_hours: str = Field(default="mon-fri 09:00-18:00", max_length=64)
    holidays: str = Field(default="FR", max_length=16)
    settled_check: bool = False
    paused: bool = False
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Commitment(SQLModel, table=True):
    """A published service commitment with its target; service_id None means common to all."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    service_id: int | None = Field(default=None, foreign_key="service.id", index=True)
    title: str = Field(max_length=300)
    title_en: str | None = Field(default=None, max_length=300)
    metric: str = Field(max_length=16)
    threshold: float
    min_responses: int = 5
    window_days: int = 30
    owners: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Question(SQLModel, table=True):
    """One question asked for a commitment, in French and English."""

    __table_args__ = (Index("ix_question_commitment_position", "commitment_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=48, unique=True)
    commitment_id: int = Field(foreign_key="commitment.id")
    kind: str = Field(max_length=16)
    text_fr: str = Field(max_length=300)
    text_en: str = Field(max_length=300)
    position: int = 1
    active: bool = True


class OwnerSchedule(SQLModel, table=True):
    """When an owner receives the digest (cron-like `mon 09:00`), in the deployment's zone."""

    __tablename__ = "owner_schedule"

    user_id: str = Field(primary_key=True, max_length=32)
    schedule: str = Field(default="mon 09:00", max_length=64)
