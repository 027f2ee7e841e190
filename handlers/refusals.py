"""Turn what a listener raises into a message for the person who acted, in their language."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.deps import Deps
from domain.errors import DomainError

logger = logging.getLogger("ecoute.slack")

Listener = TypeVar("Listener", bound=Callable[..., Awaitable[Any]])


def showing_refusals(listener: Listener) -> Listener:
    """Wrap a listener so a refusal (DomainError) or a crash reaches the user, ephemerally.

    Bolt's @app.error cannot do this for listeners that ack first: when the listener fails
    within ~10 ms of its ack(), slack_bolt 1.x's asyncio runner resets the ack response and
    answers Slack 404 after 3 s. Handling it here keeps the ack and tells the user why.
    """

    @functools.wraps(listener)
    async def run(**kwargs: Any) -> Any:
        try:
            return await listener(**kwargs)
        except DomainError as refusal:
            deps: Deps = kwargs["deps"]
            text = deps.catalog.t(refusal.locale, refusal.key, **refusal.params)
            logger.info("refused %s: %s", listener.__name__, refusal.key)
        except Exception:  # the last line of defence: log it, tell the user something went wrong
            deps = kwargs["deps"]
            logger.exception("listener %s failed", listener.__name__)
            text = deps.catalog.t(None, "error.generic")
        await tell(deps, kwargs["body"], text, kwargs.get("respond"))
        return None

    return run  # type: ignore[return-value]


async def tell(deps: Deps, body: dict[str, Any], text: str, respond: Any | None) -> None:
    """Show `text` to the person behind `body`, only to them."""
    if respond is not None and body.get("response_url"):
        await respond(text=text, response_type="ephemeral", replace_original=False)
        return
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    if user:
        channel = (body.get("channel") or {}).get("id") or body.get("channel_id") or user
        await deps.slack.chat_postEphemeral(channel=channel, user=user, text=text)
