"""`ecoute demo`: the whole loop against the built-in local Slack, no account needed."""

from __future__ import annotations

import asyncio
import random
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import func
from sqlmodel import col, select

from bot.config import Settings, load_settings
from bot.demo.answering import Conversation, answer_pulse
from bot.demo.feed import answer_silently, post_interactions, settled
from bot.demo.workspace import (
    IT_OWNER,
    IT_OWNER_NAME,
    MOODS,
    USERS,
    DemoInteraction,
    crowd_interactions,
    interactions,
)
from bot.runtime import Instance, running
from bot.sandbox import Sandbox
from domain.charter import CharterSpec, apply_charter, parse_charter
from scheduler.digests import run_digests
from storage.tables import Pulse

EXAMPLE_CHARTER = Path(__file__).resolve().parents[2] / "examples" / "charter-bercy.yaml"
DEMO_BOT_TOKEN = "xoxb-ecoute-demo"
DEMO_SIGNING_SECRET = "ecoute-demo-signing-secret"
DEMO_INTAKE_SECRET = "whsec_ZWNvdXRlLWRlbW8taW50YWtlLXNlY3JldA=="


def demo_settings(database_url: str, api_url: str) -> Settings:
    """Return settings built from embedded defaults (the environment's secrets are not used)."""
    return load_settings(
        None,
        SLACK_BOT_TOKEN=DEMO_BOT_TOKEN,
        SLACK_SIGNING_SECRET=DEMO_SIGNING_SECRET,
        ECOUTE_INTAKE_SECRETS=DEMO_INTAKE_SECRET,
        ECOUTE_PSEUDONYM_KEY="ecoute-demo-pseudonym-key",
        ECOUTE_DATABASE_URL=database_url,
        SLACK_API_URL=api_url,
        ECOUTE_DISPATCH_INTERVAL=0.2,
    )


async def run_demo(*, keep: bool, seed: int, console: Console) -> int:
    """Run the whole loop and print what everyone saw; return the exit code."""
    rng = random.Random(seed)
    workdir = Path(tempfile.mkdtemp(prefix="ecoute-demo-"))
    sandbox = Sandbox(
        users=USERS,
        bot_token=DEMO_BOT_TOKEN,
        signing_secret=DEMO_SIGNING_SECRET,
    )
    await sandbox.start()
    settings = demo_settings(f"sqlite+aiosqlite:///{workdir / 'ecoute.db'}", sandbox.api_url)
    try:
        async with running(settings, host="127.0.0.1", port=0, migrate=True) as instance:
            sandbox.events_url = f"{instance.url}/slack/events"
            await _scenario(instance, sandbox, rng, console)
            if keep:
                console.print(
                    f"\n[bold]Still running.[/] Bot: {instance.url}  ·  Slack sandbox: "
                    f"{sandbox.base_url}  ·  database: {workdir / 'ecoute.db'}\nCtrl-C to stop."
                )
                await asyncio.Event().wait()
    finally:
        await sandbox.stop()
    if sandbox.violations:
        console.print(f"[red]Block Kit violations: {sandbox.violations}[/]")
        return 1
    return 0


async def _scenario(
    instance: Instance, sandbox: Sandbox, rng: random.Random, console: Console
) -> None:
    deps = instance.deps
    async with deps.database.begin() as session:
        spec = parse_charter(
            EXAMPLE_CHARTER.read_text(encoding="utf-8"), filename=str(EXAMPLE_CHARTER)
        )
        await apply_charter(session, spec=_at_any_hour(spec), now=deps.now())
    console.rule("Écoute — démonstration")
    console.print(
        f"Charte chargée : {EXAMPLE_CHARTER.name} (pour la démo, à toute heure : "
        "heures ouvrées et jours fériés ignorés)"
    )
    intake_url = f"{instance.url}/api/v1/interactions"
    crowd = crowd_interactions(deps.now(), rng)
    await post_interactions(intake_url, DEMO_INTAKE_SECRET, [i.payload for i in crowd])
    await settled(instance, len(crowd))
    answered = await answer_silently(sandbox, crowd, rng)
    console.print(
        f"{answered} autres agents ont reçu un questionnaire et y ont répondu (non détaillé ici)."
    )
    items = interactions(deps.now(), rng)
    secret = DEMO_INTAKE_SECRET
    status, _ = await post_interactions(intake_url, secret, [i.payload for i in items])
    console.print(f"Intake : {len(items)} interactions signalées → HTTP {status}")
    replay_status, replay = await post_interactions(intake_url, secret, [items[0].payload])
    console.print(
        f"Rejeu de {items[0].payload['external_id']} → HTTP {replay_status}, "
        f"statut « {replay['interactions'][0]['status']} »"  # type: ignore[index]
    )
    await settled(instance, len(items))
    conversations = await _answer(sandbox, items, rng)
    console.rule("Ce que chacun a vu et fait")
    for conversation in conversations:
        console.print(f"[bold]{conversation.name}[/]")
        for line in conversation.lines:
            console.print(f"  {line}")
    await _summary(instance, console)
    await _digest(instance, console)


async def _digest(instance: Instance, console: Console) -> None:
    """Send this week's digests now and show the IT owner's, where a breach stands out."""
    report = await run_digests(instance.deps, fire_time=instance.deps.now(), force=True)
    console.rule("Synthèse envoyée aux responsables")
    console.print(report.summary())
    for outcome in report.outcomes:
        if outcome.owner == IT_OWNER and outcome.text:
            console.print(f"[bold]Synthèse de {IT_OWNER_NAME}[/]")
            console.print(outcome.text)


def _at_any_hour(spec: CharterSpec) -> CharterSpec:
    """Lift working hours and holidays so the demo shows the loop whenever it runs."""
    services = [
        s.model_copy(update={"working_hours": "any", "holidays": "none"}) for s in spec.services
    ]
    return spec.model_copy(update={"services": services})


async def _answer(
    sandbox: Sandbox, items: list[DemoInteraction], rng: random.Random
) -> list[Conversation]:
    conversations: dict[str, Conversation] = {}
    by_reference = {str(i.payload.get("reference")): i for i in items}
    silent: list[str] = []
    for agent in dict.fromkeys(i.agent for i in items if i.agent is not None):
        assert agent is not None
        for message in list(sandbox.messages(agent.id)):
            conversation = conversations.setdefault(agent.id, Conversation(agent.name))
            item = next((i for ref, i in by_reference.items() if ref in str(message.blocks)), None)
            if item is None or not item.answers:
                conversation.lines.append(f"reçoit « {message.text} » et n'y répond pas")
                silent.append(agent.id)
                continue
            service = str(item.payload["service"])
            await answer_pulse(
                sandbox,
                agent.id,
                mood=MOODS[service],
                service=service,
                rng=rng,
                conversation=conversation,
                message=message,
                double_click=len(conversations) == 2,
            )
    answering = [a for a in conversations if a not in silent]
    if silent and answering:
        await _wrong_person_clicks(sandbox, answering[0], silent[0], conversations[answering[0]])
    return list(conversations.values())


async def _wrong_person_clicks(
    sandbox: Sandbox, intruder_id: str, victim_id: str, conversation: Conversation
) -> None:
    message = sandbox.messages(victim_id)[-1]
    button = next(
        e for block in message.blocks if block.get("type") == "actions" for e in block["elements"]
    )
    before = len(sandbox.ephemerals(intruder_id))
    await sandbox.agent(intruder_id).click(
        message, action_id=button["action_id"], value=button["value"]
    )
    for _ in range(100):
        if len(sandbox.ephemerals(intruder_id)) > before:
            refusal = sandbox.ephemerals(intruder_id)[-1].get("text", "")
            conversation.lines.append(
                f"  clique sur le questionnaire d'un collègue → « {refusal} »"
            )
            return
        await asyncio.sleep(0.02)


async def _summary(instance: Instance, console: Console) -> None:
    async with instance.deps.database.begin() as session:
        rows = (
            await session.exec(
                select(Pulse.status, Pulse.reason, func.count()).group_by(
                    col(Pulse.status), col(Pulse.reason)
                )
            )
        ).all()
    table = Table(title="Questionnaires par statut")
    table.add_column("statut")
    table.add_column("raison")
    table.add_column("nombre", justify="right")
    for status, reason, count in sorted(rows, key=lambda r: (str(r[0]), str(r[1]))):
        table.add_row(str(status), reason or "", str(count))
    console.print(table)
