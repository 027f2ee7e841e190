"""Clicks on a pulse: store the answer, show the next question; open the comment form."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.blocks.ids import (
    ANSWER_ACTION,
    COMMENT_ACTION,
    SETTLED_ACTION,
    SETTLED_YES,
    parse_answer_value,
)
from bot.blocks.pulse import (
    build_comment_modal,
    build_pulse_question,
    build_pulse_thanks,
    build_unsettled_thanks,
)
from bot.deps import Deps
from domain.answers import pulse_for_recipient, record_answer
from domain.errors import InvalidInput
from domain.settled import answer_settled
from handlers.refusals import showing_refusals


def register(app: AsyncApp) -> None:
    """Attach the pulse buttons' listeners."""
    app.action(ANSWER_ACTION)(showing_refusals(handle_answer))
    app.action(COMMENT_ACTION)(showing_refusals(handle_open_comment))
    app.action(SETTLED_ACTION)(showing_refusals(handle_settled))


async def handle_answer(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, deps: Deps
) -> None:
    """Store one click and replace the message with the next question or the thanks."""
    await ack()
    action = body["actions"][0]
    try:
        pulse_id, question_id, value = parse_answer_value(str(action.get("value", "")))
    except ValueError:
        raise InvalidInput("malformed button value") from None
    async with deps.database.begin() as session:
        outcome = await record_answer(
            session,
            pulse_id=pulse_id,
            question_id=question_id,
            value=value,
            user_id=body["user"]["id"],
            now=deps.now(),
        )
    if outcome.next_index is None:
        message = build_pulse_thanks(outcome.view, deps.catalog)
    else:
        message = build_pulse_question(outcome.view, outcome.next_index, deps.catalog)
    await respond(replace_original=True, **message.as_kwargs())


async def handle_settled(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, deps: Deps
) -> None:
    """Record "settled" (then ask question 1) or "not yet" (then thank, the service is told)."""
    await ack()
    action = body["actions"][0]
    try:
        pulse_id = int(action.get("value", ""))
    except ValueError:
        raise InvalidInput("malformed button value") from None
    settled = action["action_id"] == SETTLED_YES
    async with deps.database.begin() as session:
        view = await answer_settled(
            session, pulse_id=pulse_id, user_id=body["user"]["id"], settled=settled, now=deps.now()
        )
    if settled:
        message = build_pulse_question(view, 0, deps.catalog)
    else:
        message = build_unsettled_thanks(view, deps.catalog)
    await respond(replace_original=True, **message.as_kwargs())


async def handle_open_comment(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, deps: Deps
) -> None:
    """Open the comment modal for the pulse's recipient."""
    await ack()
    pulse_id = int(body["actions"][0]["value"])
    async with deps.database.begin() as session:
        view = await pulse_for_recipient(
            session, pulse_id=pulse_id, user_id=body["user"]["id"], now=deps.now()
        )
    await deps.slack.views_open(
        trigger_id=body["trigger_id"], view=build_comment_modal(view, deps.catalog)
    )
