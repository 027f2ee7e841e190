"""How the demo's simulated agents answer: one click per question, as their mood dictates."""

from __future__ import annotations

import asyncio
import copy
import random
from dataclasses import dataclass, field
from typing import Any

from bot.blocks.ids import ANSWER_ACTION_PREFIX, COMMENT_BLOCK, COMMENT_INPUT
from bot.sandbox import Sandbox
from bot.sandbox.models import Message

COMMENTS = {
    "SI": (
        "Trois jours sans poste de travail, et personne pour me dire quand ce serait réglé.",
        "Le ticket a été clos sans que le problème soit résolu.",
        "Technicien aimable, mais il a fallu relancer deux fois.",
        "Impossible de joindre le support par téléphone (01 44 87 12 34 ne répond pas).",
    ),
    "RH": (
        "Réponse claire, merci. Un accusé de réception plus rapide serait apprécié.",
        "Dossier traité rapidement, merci à l'équipe.",
    ),
    "LOG": ("Salle prête à l'heure, rien à redire.", "Le badge a mis une semaine à arriver."),
    "COMM": ("Publication faite en deux jours, parfait.", "Relecture soignée, merci."),
    "FIN": ("Le remboursement a pris plus d'un mois.", "Bon de commande traité sans souci."),
}


@dataclass
class Conversation:
    """What one person saw and did, for the transcript."""

    name: str
    lines: list[str] = field(default_factory=list)


def _buttons(message: Message) -> list[dict[str, Any]]:
    for block in message.blocks:
        if block.get("type") == "actions":
            elements = [
                e
                for e in block.get("elements", [])
                if str(e.get("action_id", "")).startswith(ANSWER_ACTION_PREFIX)
            ]
            if elements:
                return elements
    return []


def _question(message: Message) -> str:
    for block in message.blocks:
        if block.get("type") == "section" and str(block.get("block_id", "")).startswith("q"):
            return str(block["text"]["text"]).strip("*")
    return message.text


def choose(buttons: list[dict[str, Any]], mood: float, rng: random.Random) -> dict[str, Any]:
    """Pick a button: happy agents lean to the best choice, unhappy ones to the worst."""
    if len(buttons) == 2:  # yes / no, yes first
        return buttons[0] if rng.random() < mood else buttons[1]
    position = mood * (len(buttons) - 1) + rng.gauss(0, 0.6)
    index = round(min(len(buttons) - 1, max(0, position)))
    return buttons[index]


async def wait_for_change(
    sandbox: Sandbox, message: Message, before: list[dict[str, Any]]
) -> Message:
    """Wait (briefly) until this pulse message shows something new."""
    for _ in range(250):
        current = next(m for m in sandbox.messages(message.channel) if m.ts == message.ts)
        if current.blocks != before:
            return current
        await asyncio.sleep(0.02)
    raise TimeoutError(f"the pulse {message.ts} in {message.channel} did not change after a click")


async def answer_pulse(
    sandbox: Sandbox,
    user_id: str,
    *,
    mood: float,
    service: str,
    rng: random.Random,
    conversation: Conversation,
    message: Message,
    double_click: bool = False,
) -> None:
    """Answer every question of the pulse `message`, then maybe leave a comment."""
    agent = sandbox.agent(user_id)
    conversation.lines.append(f"reçoit : « {message.text} »")
    while buttons := _buttons(message):
        pick = choose(buttons, mood, rng)
        # The sandbox updates messages in place, possibly before click() returns.
        before = copy.deepcopy(message.blocks)
        question = _question(message)
        delivery = await agent.click(message, action_id=pick["action_id"], value=pick["value"])
        if double_click:
            stale = Message(**{**message.__dict__, "blocks": before})
            await agent.click(stale, action_id=pick["action_id"], value=pick["value"])
            double_click = False
            conversation.lines.append("  (double-clic : une seule réponse enregistrée)")
        conversation.lines.append(
            f"  {question} → clique « {pick['text']['text']} » (HTTP {delivery.status})"
        )
        message = await wait_for_change(sandbox, message, before)
    conversation.lines.append(f"  voit : « {message.text} »")
    if rng.random() < 0.5:
        await agent.click(message, action_id="pulse.comment", value=None)
        for _ in range(100):
            if sandbox.views_for(user_id):
                break
            await asyncio.sleep(0.02)
        text = rng.choice(COMMENTS[service])
        delivery = await agent.submit_view(values={COMMENT_BLOCK: {COMMENT_INPUT: text}})
        conversation.lines.append(f"  commente : « {text} » (HTTP {delivery.status})")
