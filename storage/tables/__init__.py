"""Every table, imported here so `SQLModel.metadata` is complete for Alembic and tests."""

from storage.tables.audit import AuditEntry
from storage.tables.charter import Commitment, OwnerSchedule, Question, Service
from storage.tables.digests import (
    AlertDelivery,
    AlertState,
    DeliveryStatus,
    DigestDelivery,
    DigestRun,
)
from storage.tables.notices import Notice
from storage.tables.people import Marker, Person, Role
from storage.tables.plans import ActionPlan, BreachWatch, PlanAction, PlanNote, PlanStatus
from storage.tables.pulses import Answer, Comment, Interaction, Pulse, PulseStatus, SlackEvent

__all__ = [
    "ActionPlan",
    "AlertDelivery",
    "AlertState",
    "Answer",
    "AuditEntry",
    "BreachWatch",
    "Comment",
    "Commitment",
    "DeliveryStatus",
    "DigestDelivery",
    "DigestRun",
    "Interaction",
    "Marker",
    "Notice",
    "OwnerSchedule",
    "Person",
    "PlanAction",
    "PlanNote",
    "PlanStatus",
    "Pulse",
    "PulseStatus",
    "Question",
    "Role",
    "Service",
    "SlackEvent",
]
