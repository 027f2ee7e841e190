"""Roles: configured admins, granted ones, owners by the charter, strangers from elsewhere."""

from __future__ import annotations

import pytest

from domain.errors import DomainError
from domain.roles import (
    Actor,
    AdminsOnly,
    BadUser,
    ConfiguredAdmin,
    LastAdmin,
    RoleMissing,
    UnknownRole,
    grant_role,
    identify,
    list_roles,
    parse_user,
    revoke_role,
)
from storage.engine import Database
from storage.tables import Person
from tests.domain.admin_fixtures import ADMIN, AGENT, NOW, audit_rows, load

TEAM = "T0ECOUTE"


async def _who(database: Database, user: str, team: str = TEAM, admins=("U0BOSS",)):
    async with database.begin() as session:
        return await identify(
            session,
            actor=Actor(user, team, TEAM),
            admins=admins,
            default_locale="fr",
        )


async def test_roles_come_from_configuration_grants_and_the_charter(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        session.add(Person(user_id="U0SI0QUAL", locale="en-GB"))
    boss = await _who(database, "U0BOSS")
    assert (boss.role, boss.locale) == ("admin", "fr")
    si_owner = await _who(database, "U0SI0QUAL")
    assert (si_owner.role, si_owner.locale, len(si_owner.owned)) == ("owner", "en", 1)
    assert (await _who(database, "U0AGENT01")).role == "agent"
    async with database.begin() as session:
        await grant_role(session, caller=boss, user_id="U0AGENT01", role="Admin", now=NOW)
    assert (await _who(database, "U0AGENT01")).role == "admin"


async def test_someone_from_another_workspace_has_no_rights(database: Database) -> None:
    await load(database)
    stranger = await _who(database, "U0BOSS", team="T0OTHER")
    assert stranger.role == "agent"
    with pytest.raises(AdminsOnly):
        stranger.require_admin()


async def test_grant_and_revoke_are_audited_and_guarded(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        assert await grant_role(session, caller=ADMIN, user_id="U0NEW", role="owner", now=NOW)
        assert not await grant_role(session, caller=ADMIN, user_id="U0NEW", role="owner", now=NOW)
        with pytest.raises(UnknownRole):
            await grant_role(session, caller=ADMIN, user_id="U0NEW", role="boss", now=NOW)
        with pytest.raises(AdminsOnly):
            await grant_role(session, caller=AGENT, user_id="U0NEW", role="admin", now=NOW)
        with pytest.raises(ConfiguredAdmin):
            await revoke_role(
                session, caller=ADMIN, user_id="U0BOSS", role="admin", admins=["U0BOSS"], now=NOW
            )
        with pytest.raises(RoleMissing):
            await revoke_role(
                session, caller=ADMIN, user_id="U0NEW", role="admin", admins=[], now=NOW
            )
        await revoke_role(session, caller=ADMIN, user_id="U0NEW", role="owner", admins=[], now=NOW)
        lines = await list_roles(session, caller=ADMIN, admins=["U0BOSS"])
    assert [(line.user_id, line.role, line.configured) for line in lines] == [
        ("U0BOSS", "admin", True)
    ]
    assert [e.action for e in await audit_rows(database)] == ["role.grant", "role.revoke"]


async def test_the_last_admin_stays_when_none_is_configured(database: Database) -> None:
    await load(database)
    async with database.begin() as session:
        await grant_role(session, caller=ADMIN, user_id="U0ONLY", role="admin", now=NOW)
        with pytest.raises(LastAdmin):
            await revoke_role(
                session, caller=ADMIN, user_id="U0ONLY", role="admin", admins=[], now=NOW
            )


def test_users_are_read_from_mentions_or_ids() -> None:
    assert parse_user("<@U0SI0QUAL|sophie>") == "U0SI0QUAL"
    assert parse_user(" u0si0qual ") == "U0SI0QUAL"
    assert parse_user("<@W0GRID>") == "W0GRID"
    with pytest.raises(BadUser):
        parse_user("@sophie")
    assert issubclass(BadUser, DomainError)
