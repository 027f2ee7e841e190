"""The comment modal's submission: store the text, thank the recipient in the pulse."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.blocks.ids import COMMENT_BLOCK, COMMENT_INPUT, COMMENT_VIEW
from bot.blocks.pulse import build_pulse_thanks
from bot.deps import Deps
from domain.answers import record_comment
from domain.errors import DomainError, InvalidInput


def register(app: AsyncApp) -> None:
    """Attach the comment modal's listener."""
    app.view(COMMENT_VIEW)(handle_comment_submission)


async def handle_comment_submission(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], deps: Deps
) -> None:
    """Validate inline, store the comment, then update the pulse message."""
    text = view["state"]["values"][COMMENT_BLOCK][COMMENT_INPUT].get("value") or ""
    if not text.strip():
        await ack(
            response_action="errors",
            errors={COMMENT_BLOCK: deps.catalog.t(None, "pulse.comment_empty")},
        )
        return
    try:
        pulse_id = int(view["private_metadata"])
    except ValueError:
        raise InvalidInput("malformed private_metadata") from None
    try:
        async with deps.database.begin() as session:
            pulse_view = await record_comment(
                session, pulse_id=pulse_id, user_id=body["user"]["id"], text=text, now=deps.now()
            )
    except DomainError as refusal:
        # A modal can only show refusals inline: the submission's ack is the one answer.
        reason = deps.catalog.t(refusal.locale, refusal.key, **refusal.params)
        await ack(response_action="errors", errors={COMMENT_BLOCK: reason})
        return
    await ack()
    if pulse_view.channel and pulse_view.ts:
        message = build_pulse_thanks(pulse_view, deps.catalog)
        await deps.slack.chat_update(
            channel=pulse_view.channel, ts=pulse_view.ts, **message.as_kwargs()
        )
