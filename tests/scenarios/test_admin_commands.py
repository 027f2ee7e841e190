"""`/ecoute` typed by admins, owners and agents: answers for them alone, refusals, the audit."""

from __future__ import annotations

from urllib.parse import urlencode

from sqlmodel import select

from bot.sandbox import Sandbox
from storage.engine import open_database
from storage.tables import Commitment, Service
from tests.scenarios.admin_support import (
    ADMIN,
    ADMIN_EN,
    AGENT,
    SI_OWNER,
    admin_bot,
    audit_actions,
    command,
)
from tests.scenarios.conftest import Stack


async def _commitment(stack: Stack, code: str) -> Commitment:
    database = open_database(stack.database_url)
    try:
        async with database.begin() as session:
            return (await session.exec(select(Commitment).where(Commitment.code == code))).one()
    finally:
        await database.dispose()


async def test_help_lists_what_each_role_may_do_in_their_language(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with admin_bot(stack, sandbox):
        agent = await command(stack, sandbox, AGENT, "help")
        owner = await command(stack, sandbox, SI_OWNER, "")
        admin = await command(stack, sandbox, ADMIN.id, "aide")
        english = await command(stack, sandbox, ADMIN_EN.id, "help")
    assert "optout" in agent
    assert "stats" not in agent
    assert "commitment threshold" not in agent
    assert "/ecoute stats" in owner
    assert "commitment threshold" not in owner
    assert "commitment threshold" in admin
    assert "Administrateurs" in admin
    assert "what you can do" in english
    # Nothing was posted where others could see it.
    assert not [c for c in sandbox.calls if c.method == "chat.postMessage"]


async def test_unknown_words_get_a_suggestion_and_missing_arguments_the_usage(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with admin_bot(stack, sandbox):
        typo = await command(stack, sandbox, ADMIN.id, "comitment threshold SI-01 85")
        verb = await command(stack, sandbox, ADMIN.id, "commitment treshold SI-01 85")
        usage = await command(stack, sandbox, ADMIN.id, "commitment threshold SI-01")
        nonsense = await command(stack, sandbox, AGENT, "xyzzy")
    assert "« commitment »" in typo
    assert "« threshold »" in verb
    assert "commitment threshold CODE VALEUR" in usage
    assert "Je ne connais pas « xyzzy »" in nonsense


async def test_free_text_threshold_with_typo_suggestion_range_error_and_audit(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with admin_bot(stack, sandbox):
        typo = await command(stack, sandbox, ADMIN.id, "commitment threshold SI01 85")
        wrong = await command(stack, sandbox, ADMIN.id, "commitment threshold SI-01 120")
        done = await command(stack, sandbox, ADMIN.id, "commitment threshold si-01 85,5")
        english = await command(stack, sandbox, ADMIN_EN.id, "commitment window SI-01 45")
    assert "Vouliez-vous dire SI-01 ?" in typo
    assert "entre 0 et 100" in wrong
    assert "80 → 85,5" in done
    assert "Window changed" in english
    assert "30 → 45" in english
    commitment = await _commitment(stack, "SI-01")
    assert (commitment.threshold, commitment.window_days) == (85.5, 45)
    assert await audit_actions(stack) == [
        (ADMIN.id, "commitment.threshold", "SI-01"),
        (ADMIN_EN.id, "commitment.window_days", "SI-01"),
    ]


async def test_agents_and_owners_are_refused_changes(stack: Stack, sandbox: Sandbox) -> None:
    async with admin_bot(stack, sandbox):
        agent = await command(stack, sandbox, AGENT, "commitment threshold SI-01 10")
        owner = await command(stack, sandbox, SI_OWNER, "commitment min SI-01 50")
        roles = await command(stack, sandbox, SI_OWNER, f"roles grant <@{SI_OWNER}> admin")
        audit = await command(stack, sandbox, AGENT, "audit")
        stats = await command(stack, sandbox, AGENT, "stats")
    for answer in (agent, owner, roles, audit):
        assert "Seuls les administrateurs" in answer
    assert "Seuls les responsables" in stats
    assert (await _commitment(stack, "SI-01")).threshold == 80.0
    assert await audit_actions(stack) == []


async def test_min_owners_pause_resume_and_lists(stack: Stack, sandbox: Sandbox) -> None:
    async with admin_bot(stack, sandbox):
        small = await command(stack, sandbox, ADMIN.id, "commitment min SI-01 3")
        minimum = await command(stack, sandbox, ADMIN.id, "commitment min SI-01 12")
        owners = await command(
            stack, sandbox, ADMIN.id, "commitment owners SI-01 <@U0SI0QUAL|sophie> <@U0RH0QUAL>"
        )
        bad_owner = await command(stack, sandbox, ADMIN.id, "commitment owners SI-01 @sophie")
        paused = await command(stack, sandbox, ADMIN.id, "pause si")
        services = await command(stack, sandbox, SI_OWNER, "services")
        resumed = await command(stack, sandbox, ADMIN.id, "service resume SI")
        listed = await command(stack, sandbox, ADMIN.id, "commitments SI")
        questions = await command(stack, sandbox, SI_OWNER, "questions SI-01")
    assert "entre 5 et 1000000" in small
    assert "5 → 12" in minimum
    assert "<@U0RH0QUAL>" in owners
    assert "n'est pas une personne" in bad_owner
    assert "Service mis en pause" in paused
    assert "en pause" in services
    assert "Service repris" in resumed
    assert "SI-01" in listed
    assert "RH-01" not in listed
    assert "SI-01-Q2" in questions
    database = open_database(stack.database_url)
    try:
        async with database.begin() as session:
            service = (await session.exec(select(Service).where(Service.code == "SI"))).one()
    finally:
        await database.dispose()
    assert service.paused is False
    assert [action for _, action, _ in await audit_actions(stack)] == [
        "commitment.min_responses",
        "commitment.owners",
        "service.pause",
        "service.resume",
    ]


async def test_schedules_for_oneself_and_by_admins(stack: Stack, sandbox: Sandbox) -> None:
    async with admin_bot(stack, sandbox):
        mine = await command(stack, sandbox, SI_OWNER, "schedule")
        changed = await command(stack, sandbox, SI_OWNER, "schedule thu 08:30")
        wrong = await command(stack, sandbox, SI_OWNER, "schedule lundi 9h")
        other = await command(stack, sandbox, SI_OWNER, "schedule <@U0RH0QUAL> daily 09:00")
        by_admin = await command(stack, sandbox, ADMIN.id, "schedule <@U0RH0QUAL> daily 09:00")
        listed = await command(stack, sandbox, ADMIN.id, "schedules")
        agent = await command(stack, sandbox, AGENT, "schedule")
    assert "`mon 09:00`" in mine
    assert "Prochaine synthèse" in mine
    assert "mon 09:00 → thu 08:30" in changed
    assert "n'est pas un horaire" in wrong
    assert "Seuls les administrateurs" in other
    assert "daily 09:00" in by_admin
    assert "thu 08:30" in listed
    assert "Seuls les responsables" in agent


async def test_stats_and_audit(stack: Stack, sandbox: Sandbox) -> None:
    async with admin_bot(stack, sandbox):
        await command(stack, sandbox, ADMIN.id, "commitment threshold SI-01 85")
        owner = await command(stack, sandbox, SI_OWNER, "stats")
        other = await command(stack, sandbox, SI_OWNER, "stats RH-01")
        admin = await command(stack, sandbox, ADMIN.id, "stats rh")
        typo = await command(stack, sandbox, ADMIN.id, "stats RH-1")
        audit = await command(stack, sandbox, ADMIN.id, "audit 5")
    assert "SI-01" in owner
    assert "RH-01" not in owner
    assert "pas assez de réponses" in owner
    assert "Seuls les responsables" in other
    assert "RH-01" in admin
    assert "Vouliez-vous dire RH-01 ?" in typo
    assert "Objectif modifié" in audit
    assert f"<@{ADMIN.id}>" in audit
    assert "80 → 85" in audit


async def test_roles_grant_list_and_configured_admins_stay(stack: Stack, sandbox: Sandbox) -> None:
    async with admin_bot(stack, sandbox):
        granted = await command(stack, sandbox, ADMIN.id, "roles grant <@U0AGENT02> admin")
        again = await command(stack, sandbox, ADMIN.id, "roles grant <@U0AGENT02> admin")
        unknown = await command(stack, sandbox, ADMIN.id, "roles grant <@U0AGENT02> boss")
        new_admin = await command(stack, sandbox, "U0AGENT02", "commitment window RH-01 60")
        listed = await command(stack, sandbox, "U0AGENT02", "roles")
    assert "est désormais administrateur" in granted
    assert "déjà" in again
    assert "Rôle inconnu" in unknown
    assert "30 → 60" in new_admin
    assert "(configuration)" in listed
    assert f"accordé par <@{ADMIN.id}>" in listed
    assert [action for _, action, _ in await audit_actions(stack)] == [
        "role.grant",
        "commitment.window_days",
    ]


async def test_answers_stay_private_when_typed_in_a_channel(stack: Stack, sandbox: Sandbox) -> None:
    sandbox.add_channel("C0GENERAL", "general")
    async with admin_bot(stack, sandbox):
        seen = len(sandbox.ephemerals(ADMIN.id))
        delivery = await sandbox.agent(ADMIN.id).slash(
            "/ecoute", "services", channel_id="C0GENERAL"
        )
        assert delivery.status == 200
        await stack.until(lambda: len(sandbox.ephemerals(ADMIN.id)) > seen)
    assert sandbox.messages("C0GENERAL") == []
    assert sandbox.ephemerals(ADMIN.id)[-1]["channel"] == "C0GENERAL"


async def test_a_configured_admin_id_from_another_workspace_is_nobody(
    stack: Stack, sandbox: Sandbox
) -> None:
    async with admin_bot(stack, sandbox):
        agent = sandbox.agent(ADMIN.id)
        seen = len(sandbox.ephemerals(ADMIN.id))
        token = sandbox.response_urls.issue(ADMIN.id, agent.dm_channel, None)
        form = {
            "command": "/ecoute",
            "text": "commitment threshold SI-01 10",
            "team_id": "T0OTHER",
            "user_id": ADMIN.id,
            "channel_id": agent.dm_channel,
            "trigger_id": sandbox.views.issue_trigger(ADMIN.id),
            "response_url": f"{sandbox.base_url}response/{token}",
            "api_app_id": "A0ECOUTE",
        }
        delivery = await agent.sign_and_post(
            urlencode(form).encode(), "application/x-www-form-urlencoded"
        )
        assert delivery.status == 200
        await stack.until(lambda: len(sandbox.ephemerals(ADMIN.id)) > seen)
    assert "Seuls les administrateurs" in sandbox.ephemerals(ADMIN.id)[-1]["text"]
    assert (await _commitment(stack, "SI-01")).threshold == 80.0
