"""`/ecoute`: identify the caller, route the first word, answer only them."""

from __future__ import annotations

import difflib
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.blocks.admin_ids import COMMAND
from bot.blocks.help import build_help, build_unknown_command, build_usage
from bot.deps import Deps
from handlers.commands import (
    audit,
    charter,
    commitments,
    personal,
    plans,
    questions,
    review,
    roles,
    schedules,
    services,
    stats,
)
from handlers.commands.identity import caller_of
from handlers.commands.request import CommandRequest, Handler, UnknownWord, Usage
from handlers.refusals import showing_refusals


async def run_help(request: CommandRequest, args: list[str]) -> None:
    """List what the caller may do."""
    await request.answer(build_help(request.caller.role, request.deps.catalog, request.locale))


ROUTES: dict[str, Handler] = {
    "help": run_help,
    "services": services.run_list,
    "service": services.run,
    "pause": services.run_pause,
    "resume": services.run_resume,
    "commitments": commitments.run_list,
    "commitment": commitments.run,
    "questions": questions.run_list,
    "question": questions.run,
    "roles": roles.run,
    "schedule": schedules.run,
    "schedules": schedules.run_list,
    "stats": stats.run,
    "audit": audit.run,
    "charter": charter.run,
    "optout": personal.run_out,
    "optin": personal.run_in,
    "plan": plans.run,
    "plans": plans.run_list,
    "review": review.run,
}
# French words for the groups, so that a French speaker's first guess works too.
ALIASES = {
    "aide": "help",
    "engagement": "commitment",
    "engagements": "commitments",
    "role": "roles",
    "charte": "charter",
    "journal": "audit",
    "reprendre": "resume",
    "statistiques": "stats",
    "horaire": "schedule",
    "revue": "review",
}


def register(app: AsyncApp) -> None:
    """Attach the /ecoute command."""
    app.command(COMMAND)(showing_refusals(handle_ecoute))


async def handle_ecoute(
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    context: AsyncBoltContext,
    deps: Deps,
) -> None:
    """Answer `/ecoute WORDS...` to the caller alone (never in the channel)."""
    await ack()
    words = str(body.get("text") or "").split()
    async with deps.database.begin() as session:
        caller = await caller_of(session, deps, body, context)
    request = CommandRequest(deps=deps, caller=caller, body=body, respond=respond)
    first = ALIASES.get(words[0].lower(), words[0].lower()) if words else "help"
    try:
        handler = ROUTES.get(first)
        if handler is None:
            raise UnknownWord(words[0], list(ROUTES))
        await handler(request, words[1:])
    except Usage as usage:
        await request.answer(build_usage(usage.name, deps.catalog, caller.locale))
    except UnknownWord as unknown:
        close = difflib.get_close_matches(unknown.word.lower(), unknown.choices, n=1, cutoff=0.6)
        suggestion = close[0] if close else None
        message = build_unknown_command(unknown.word, suggestion, deps.catalog, caller.locale)
        await request.answer(message)
