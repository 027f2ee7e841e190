"""Who may do what: admins (by configuration or granted), owners (by the charter or granted)."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import record
from domain.digests import owners_of, service_owners
from domain.errors import Conflict, InvalidInput, NotAllowed, NotFound
from domain.tallies import load_commitments
from storage.tables import Person, Role

ADMIN = "admin"
OWNER = "owner"
ROLES = (ADMIN, OWNER)
LANGUAGES = ("fr", "en")
USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")


class AdminsOnly(NotAllowed):
    """Only Écoute admins may do this."""

    key = "admin.refused.admins_only"


class OwnersOnly(NotAllowed):
    """Only owners (of this commitment) and admins may do this."""

    key = "admin.refused.owners_only"


class ConfiguredAdmin(Conflict):
    """An admin named in ECOUTE_ADMINS cannot be revoked from Slack."""

    key = "admin.roles.configured"


class LastAdmin(Conflict):
    """Revoking would leave nobody able to administer Écoute."""

    key = "admin.roles.last_admin"


class RoleMissing(NotFound):
    """The person does not hold that role."""

    key = "admin.roles.missing"


class UnknownRole(InvalidInput):
    """The role named is neither admin nor owner."""

    key = "admin.roles.unknown_role"


class BadUser(InvalidInput):
    """The text given is not a Slack user (a mention or an id)."""

    key = "admin.roles.bad_user"


@dataclass(frozen=True)
class Actor:
    """The person behind a verified Slack payload, and the workspace the bot is installed in."""

    user_id: str
    team_id: str | None = None
    home_team: str | None = None

    @property
    def foreign(self) -> bool:
        """Tell whether the payload comes from another workspace (a shared channel, say)."""
        return bool(self.home_team and self.team_id and self.team_id != self.home_team)


@dataclass(frozen=True)
class Caller:
    """An identified person: their language and what they may do."""

    user_id: str
    locale: str
    admin: bool = False
    owner: bool = False
    owned: frozenset[int] = field(default_factory=frozenset)

    @property
    def role(self) -> str:
        """Return admin, owner or agent: the widest of the person's roles."""
        return ADMIN if self.admin else OWNER if self.owner else "agent"

    def require_admin(self) -> None:
        """Refuse anyone but an admin."""
        if not self.admin:
            raise AdminsOnly(locale=self.locale)

    def require_owner(self) -> None:
        """Refuse agents: owners and admins only."""
        if not (self.admin or self.owner):
            raise OwnersOnly(locale=self.locale)

    def may_read(self, commitment_id: int) -> bool:
        """Tell whether the person may see a commitment's figures."""
        return self.admin or commitment_id in self.owned


@dataclass(frozen=True)
class RoleLine:
    """One role held by one person, and where it comes from."""

    user_id: str
    role: str
    granted_by: str | None
    granted_at: datetime | None
    configured: bool


def language(slack_locale: str | None, default: str) -> str:
    """Map a Slack locale (`en-GB`) to a supported language, else `default`."""
    if slack_locale:
        candidate = slack_locale.replace("_", "-").split("-")[0].lower()
        if candidate in LANGUAGES:
            return candidate
    return default


def parse_user(text: str, *, locale: str | None = None) -> str:
    """Return the user id of a mention (`<@U123|name>`) or a bare id, or raise BadUser."""
    cleaned = text.strip()
    if cleaned.startswith("<@") and cleaned.endswith(">"):
        cleaned = cleaned[2:-1].split("|", 1)[0]
    cleaned = cleaned.upper()
    if not USER_ID.fullmatch(cleaned):
        raise BadUser(text, locale=locale, value=text)
    return cleaned


async def identify(
    session: AsyncSession, *, actor: Actor, admins: Collection[str], default_locale: str
) -> Caller:
    """Return who the actor is for Écoute: language, admin and owner rights."""
    person = await session.get(Person, actor.user_id)
    locale = language(person.locale if person else None, default_locale)
    if actor.foreign:
        # Someone from another workspace in a shared channel is nobody here, whatever their id.
        return Caller(user_id=actor.user_id, locale=locale)
    granted = set(
        (await session.exec(select(Role.role).where(col(Role.user_id) == actor.user_id))).all()
    )
    commitments = await load_commitments(session)
    owned = owners_of(commitments, await service_owners(session)).get(actor.user_id, ())
    return Caller(
        user_id=actor.user_id,
        locale=locale,
        admin=actor.user_id in admins or ADMIN in granted,
        owner=bool(owned) or OWNER in granted,
        owned=frozenset(owned),
    )


async def list_roles(
    session: AsyncSession, *, caller: Caller, admins: Sequence[str]
) -> list[RoleLine]:
    """Return every role: configured admins first, then the granted ones."""
    caller.require_admin()
    lines = [RoleLine(user, ADMIN, None, None, True) for user in admins]
    rows = (await session.exec(select(Role).order_by(col(Role.role), col(Role.user_id)))).all()
    lines += [
        RoleLine(row.user_id, row.role, row.granted_by, row.granted_at, False)
        for row in rows
        if not (row.role == ADMIN and row.user_id in admins)
    ]
    return lines


async def grant_role(
    session: AsyncSession, *, caller: Caller, user_id: str, role: str, now: datetime
) -> bool:
    """Give `role` to `user_id`; return False if they already held it."""
    caller.require_admin()
    role = check_role(role, caller.locale)
    if await session.get(Role, (user_id, role)) is not None:
        return False
    session.add(Role(user_id=user_id, role=role, granted_by=caller.user_id, granted_at=now))
    await record(
        session,
        actor=caller.user_id,
        action="role.grant",
        target=user_id,
        before=None,
        after={"role": role},
        now=now,
    )
    return True


async def check_revocable(
    session: AsyncSession,
    *,
    caller: Caller,
    user_id: str,
    role: str,
    admins: Collection[str],
) -> Role:
    """Return the role row that may be revoked, or raise why it may not."""
    caller.require_admin()
    role = check_role(role, caller.locale)
    if role == ADMIN and user_id in admins:
        raise ConfiguredAdmin(locale=caller.locale, user=user_id)
    row = await session.get(Role, (user_id, role))
    if row is None:
        raise RoleMissing(locale=caller.locale, user=user_id, role=role)
    if role == ADMIN and not admins:
        count = (
            await session.exec(select(func.count()).select_from(Role).where(Role.role == ADMIN))
        ).one()
        if int(count) <= 1:
            raise LastAdmin(locale=caller.locale)
    return row


async def revoke_role(
    session: AsyncSession,
    *,
    caller: Caller,
    user_id: str,
    role: str,
    admins: Collection[str],
    now: datetime,
) -> None:
    """Take `role` back from `user_id`, keeping at least one admin."""
    row = await check_revocable(session, caller=caller, user_id=user_id, role=role, admins=admins)
    await session.delete(row)
    await record(
        session,
        actor=caller.user_id,
        action="role.revoke",
        target=user_id,
        before={"role": row.role, "granted_by": row.granted_by},
        after=None,
        now=now,
    )


def check_role(text: str, locale: str) -> str:
    """Return the role named (any case), or raise UnknownRole."""
    role = text.strip().lower()
    if role not in ROLES:
        raise UnknownRole(text, locale=locale, value=text)
    return role
