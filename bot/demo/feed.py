"""Feed the demo: signed intake posts, waiting for dispatch, silent answers from the crowd."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid

import aiohttp
from sqlalchemy import func
from sqlmodel import col, select

from bot.demo.answering import Conversation, answer_pulse
from bot.demo.workspace import MOODS, DemoInteraction
from bot.runtime import Instance
from bot.sandbox import Sandbox
from handlers.intake.signature import decode_secret, sign
from storage.tables import Pulse


async def post_interactions(
    url: str, secret: str, payloads: list[dict[str, object]]
) -> tuple[int, dict[str, object]]:
    """POST a batch to the intake API, signed per Standard Webhooks; return status and body."""
    body = json.dumps({"interactions": payloads}).encode()
    msg_id, timestamp = f"msg_{uuid.uuid4().hex}", int(time.time())
    headers = {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(
            decode_secret(secret), msg_id=msg_id, timestamp=timestamp, body=body
        ),
    }
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as resp:
        return resp.status, await resp.json()


async def settled(instance: Instance, expected: int, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        async with instance.deps.database.begin() as session:
            waiting = (
                await session.exec(
                    select(func.count())
                    .select_from(Pulse)
                    .where(col(Pulse.status).in_(("pending", "sending")))
                )
            ).one()
        if waiting == 0:
            return
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{expected} pulses were not all dispatched within {within:.0f} s")


async def answer_silently(
    sandbox: Sandbox, items: list[DemoInteraction], rng: random.Random
) -> int:
    """Let each item's agent answer their pulse, without a transcript; return how many did."""
    answered = 0
    for item in items:
        agent = item.agent
        if agent is None or not sandbox.messages(agent.id):
            continue
        service = str(item.payload["service"])
        await answer_pulse(
            sandbox,
            agent.id,
            mood=MOODS[service],
            service=service,
            rng=rng,
            conversation=Conversation(agent.name),
            message=sandbox.messages(agent.id)[-1],
        )
        answered += 1
    return answered
