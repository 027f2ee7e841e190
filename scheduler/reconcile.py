"""Find out whether a pulse whose send had an unknown outcome reached Slack after all."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks.ids import PULSE_METADATA_TYPE

HISTORY_PAGE = 50


async def find_sent_pulse(
    slack: AsyncWebClient, *, user_id: str, pulse_id: int
) -> tuple[str, str] | None:
    """Return (channel, ts) of the bot's message carrying this pulse id, if there is one."""
    # Only in-doubt sends come here, so the Tier 3 conversations.open stays rare.
    opened = await slack.conversations_open(users=user_id)
    channel = str(opened["channel"]["id"])
    history = await slack.conversations_history(
        channel=channel, limit=HISTORY_PAGE, include_all_metadata=True
    )
    for message in history.get("messages") or []:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if (
            metadata.get("event_type") == PULSE_METADATA_TYPE
            and payload.get("pulse_id") == pulse_id
        ):
            return channel, str(message["ts"])
    return None
