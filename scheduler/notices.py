"""Every minute: tell owners about "not yet settled" requests, and call source systems back."""

from __future__ import annotations

import json
import logging
import time

import aiohttp

from bot.blocks.notices import build_unsettled_notice
from bot.deps import Deps
from domain.notices import NoticeToSend, claim_notices, mark_notice
from domain.settled import CALLBACK_NOTICE
from handlers.intake.signature import decode_secret, sign
from storage.engine import DatabaseUnavailable

logger = logging.getLogger("ecoute.notices")
BATCH = 100
CALLBACK_TIMEOUT = aiohttp.ClientTimeout(total=10)


async def run_notices(deps: Deps) -> int:
    """Deliver the due notices; return how many were delivered."""
    try:
        async with deps.database.begin() as session:
            notices = await claim_notices(session, now=deps.now(), limit=BATCH)
    except DatabaseUnavailable as exc:
        logger.warning("notices skipped, database unavailable: %s", exc)
        return 0
    delivered = 0
    for notice in notices:
        error = await _deliver(deps, notice)
        async with deps.database.begin() as session:
            await mark_notice(session, notice_id=notice.id, now=deps.now(), error=error)
        delivered += error is None
    return delivered


async def _deliver(deps: Deps, notice: NoticeToSend) -> str | None:
    try:
        if notice.kind == CALLBACK_NOTICE:
            return await _call_back(deps, notice)
        message = build_unsettled_notice(notice, deps.catalog)
        await deps.slack.chat_postMessage(channel=notice.recipient, **message.as_kwargs())
    except Exception as exc:  # kept and retried with backoff; the reason is stored
        logger.warning("notice %s not delivered: %s", notice.id, exc)
        return f"{type(exc).__name__}: {exc}"
    return None


async def _call_back(deps: Deps, notice: NoticeToSend) -> str | None:
    """POST a Standard Webhooks-signed event to the source system's callback URL."""
    if not deps.settings.intake_secrets:
        return "no intake secret to sign the callback with"
    body = json.dumps(
        {
            "type": "interaction.not_settled",
            "timestamp": notice.reported_at.isoformat(),
            "data": {"source": notice.source, "external_id": notice.external_id},
        }
    ).encode()
    # The webhook id is the notice's: a retried delivery is recognisable as the same event.
    msg_id, stamp = f"msg_ecoute_notice_{notice.id}", int(time.time())
    key = decode_secret(deps.settings.intake_secrets[0].get_secret_value())
    headers = {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(key, msg_id=msg_id, timestamp=stamp, body=body),
        "user-agent": "Ecoute",
    }
    async with (
        aiohttp.ClientSession(timeout=CALLBACK_TIMEOUT) as http,
        http.post(notice.recipient, data=body, headers=headers) as response,
    ):
        if 200 <= response.status < 300:
            return None
        return f"callback answered HTTP {response.status}"
