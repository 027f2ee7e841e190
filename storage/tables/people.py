"""People as the Slack directory knows them, roles, and small bookkeeping markers."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Person(SQLModel, table=True):
    """A cached directory entry (from `users.list`), with the person's own choices."""

    user_id: str = Field(primary_key=True, max_length=32)
    email: str | None = Field(default=None, max_length=254, index=True)
    locale: str | None = Field(default=None, max_length=16)
    tz: str | None = Field(default=None, max_length=64)
    deleted: bool = False
    is_bot: bool = False
    opted_out: bool = False
    synced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Role(SQLModel, table=True):
    """An Écoute role granted to a Slack user (admin or owner)."""

    user_id: str = Field(primary_key=True, max_length=32)
    role: str = Field(primary_key=True, max_length=16)
    granted_by: str | None = Field(default=None, max_length=32)
    granted_at: datetime = Field(sa_type=UTCDateTime)


class Marker(SQLModel, table=True):
    """A named instant (e.g. the last directory sync), shared by every instance."""

    name: str = Field(primary_key=True, max_length=64)
    at: datetime = Field(sa_type=UTCDateTime)
    value: str | None = Field(default=None, max_length=500)
