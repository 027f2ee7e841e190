"""Helpers for the sandbox tests: users, a fake clock and Block Kit builders."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from bot.sandbox import SandboxUser

TOKEN = "xoxb-sandbox-token"
SECRET = "sandbox-signing-secret"
ALICE = SandboxUser(id="U0ALICE", name="Alice Martin", email="alice@finances.gouv.fr")
BOB = SandboxUser(
    id="U0BOB",
    name="Bob Smith",
    email="bob@finances.gouv.fr",
    locale="en-US",
    tz="America/New_York",
)
WENDY = SandboxUser(id="W0WENDY", name="Wendy Grid", email="wendy@finances.gouv.fr")
GONE = SandboxUser(id="U0GONE", name="Gone Away", email="gone@finances.gouv.fr", deleted=True)


class FakeClock:
    """A monotonic clock tests move by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class BotStub:
    """A tiny app at events_url: verifies Slack's signature and records what it received."""

    verifier: SignatureVerifier
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    status: int = 200
    reply: str = ""
    delay: float = 0.0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        if not self.verifier.is_valid_request(body, dict(request.headers)):
            return web.Response(status=401, text="invalid signature")
        self.headers.append(dict(request.headers))
        if request.content_type == "application/json":
            self.received.append(json.loads(body))
        else:
            form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
            self.received.append(json.loads(form["payload"]) if "payload" in form else form)
        if self.delay:
            await asyncio.sleep(self.delay)
        return web.Response(status=self.status, text=self.reply, content_type="application/json")


def button(action_id: str, text: str, value: str, **extra: Any) -> dict[str, Any]:
    """Return a button element."""
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": text},
        "value": value,
        **extra,
    }


def pulse_blocks(count: int = 5) -> list[dict[str, Any]]:
    """Return a question with a row of answer buttons, like a pulse."""
    return [
        {"type": "section", "block_id": "q", "text": {"type": "mrkdwn", "text": "*Satisfait ?*"}},
        {
            "type": "actions",
            "block_id": "answers",
            "elements": [button(f"answer_{n}", str(n), str(n)) for n in range(1, count + 1)],
        },
    ]


Payload = dict[str, Any]


def plain(text: str) -> Payload:
    return {"type": "plain_text", "text": text}


def md(text: str) -> Payload:
    return {"type": "mrkdwn", "text": text}


def msg(*blocks: Payload, text: str = "fallback") -> Payload:
    return {"text": text, "blocks": list(blocks)}


def section(text: str = "hello", **extra: Any) -> Payload:
    return {"type": "section", "text": md(text), **extra}


def actions(*elements: Payload, **extra: Any) -> Payload:
    return {"type": "actions", "elements": list(elements), **extra}


def options(count: int, text_len: int = 5, value_len: int = 5, rich: bool = False) -> list[Payload]:
    text = md if rich else plain
    return [
        {"text": text(f"{n:0{text_len}d}"[-text_len:]), "value": f"{n:0{value_len}d}"[-value_len:]}
        for n in range(count)
    ]


def select(**extra: Any) -> Payload:
    return {
        "type": "static_select",
        "action_id": "pick",
        "placeholder": plain("Choisir"),
        "options": options(3),
        **extra,
    }


def modal(*blocks: Payload, **extra: Any) -> Payload:
    view: Payload = {
        "type": "modal",
        "title": plain("Titre"),
        "submit": plain("Envoyer"),
        "blocks": list(blocks),
    }
    view.update(extra)
    return view


def text_input(label: str = "Avis", **element: Any) -> Payload:
    return {
        "type": "input",
        "block_id": "in",
        "label": plain(label),
        "element": {"type": "plain_text_input", "action_id": "v", **element},
    }
