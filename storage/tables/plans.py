"""Action plans and their actions, the notes to contributors, and how long a breach has lasted."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class PlanStatus(StrEnum):
    """Where a plan or one of its actions stands."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class ActionPlan(SQLModel, table=True):
    """What an owner commits to change for one commitment; at most one open per commitment."""

    __tablename__ = "action_plan"
    __table_args__ = (
        # Two owners submitting together must not open two plans for one commitment.
        Index(
            "uq_action_plan_open",
            "commitment_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    commitment_id: int = Field(foreign_key="commitment.id", index=True)
    owner: str = Field(max_length=32)
    summary: str = Field(max_length=2000)
    status: str = Field(default=PlanStatus.OPEN, max_length=16)
    # The commitment's window when the plan opened: before and after are measured on it.
    window_days: int
    opened_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str | None = Field(default=None, max_length=500)
    note_text: str | None = Field(default=None, max_length=1000)
    note_text_en: str | None = Field(default=None, max_length=1000)
    note_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note_queued: int | None = None
    note_skipped: int | None = None
    note_unreachable: int | None = None


class PlanAction(SQLModel, table=True):
    """One action of a plan: what, who carries it, by when; its carrier is reminded once."""

    __tablename__ = "plan_action"
    __table_args__ = (
        UniqueConstraint("plan_id", "position", name="uq_plan_action_position"),
        Index("ix_plan_action_due", "status", "due_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="action_plan.id")
    position: int
    text: str = Field(max_length=300)
    carrier: str = Field(max_length=32)
    due_on: date
    status: str = Field(default=PlanStatus.OPEN, max_length=16)
    reason: str | None = Field(default=None, max_length=500)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PlanNote(SQLModel, table=True):
    """An outbox row: one "you said, we did" DM; the user id is erased once it is settled."""

    __tablename__ = "plan_note"
    __table_args__ = (
        UniqueConstraint("plan_id", "respondent", name="uq_plan_note_respondent"),
        # The contact budget reads the last note sent under each pseudonym.
        Index("ix_plan_note_respondent_sent", "respondent", "sent_at"),
        Index("ix_plan_note_due", "sent_at", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="action_plan.id")
    respondent: str = Field(max_length=64)
    recipient: str | None = Field(default=None, max_length=32)
    locale: str = Field(max_length=8)
    created_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=300)


class BreachWatch(SQLModel, table=True):
    """Since when a commitment has been breached, and whether that was escalated."""

    __tablename__ = "breach_watch"

    commitment_id: int = Field(primary_key=True, foreign_key="commitment.id")
    breached_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    checked_at: datetime = Field(sa_type=UTCDateTime)
