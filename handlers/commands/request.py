"""One `/ecoute` invocation: who typed it, what they typed, and how to answer only them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.blocks.base import Message
from bot.deps import Deps
from domain.roles import Caller


class Usage(Exception):
    """The subcommand lacks arguments (or has too many): show how it is written."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass(frozen=True)
class CommandRequest:
    """A parsed invocation, with the caller already identified."""

    deps: Deps
    caller: Caller
    body: dict[str, Any]
    respond: AsyncRespond

    @property
    def locale(self) -> str:
        """Return the caller's language."""
        return self.caller.locale

    async def answer(self, message: Message) -> None:
        """Answer the caller only (an ephemeral message through the response_url)."""
        await self.respond(response_type="ephemeral", replace_original=False, **message.as_kwargs())

    async def open_modal(self, view: dict[str, Any]) -> None:
        """Open a modal with the command's trigger_id (valid 3 s: call this first)."""
        await self.deps.slack.views_open(trigger_id=self.body["trigger_id"], view=view)


def take(args: list[str], count: int, usage: str) -> list[str]:
    """Return exactly `count` arguments, or raise Usage."""
    if len(args) != count:
        raise Usage(usage)
    return args


class UnknownWord(Exception):
    """A word the command does not know; `choices` are the ones it would have."""

    def __init__(self, word: str, choices: list[str]) -> None:
        super().__init__(word)
        self.word = word
        self.choices = choices


Handler = Callable[[CommandRequest, list[str]], Awaitable[None]]


async def dispatch(
    request: CommandRequest,
    args: list[str],
    verbs: Mapping[str, Handler],
    *,
    default: Handler | None = None,
    usage: str = "help",
) -> None:
    """Run the handler of the first word of `args` with the rest (or `default` with none)."""
    if not args:
        if default is None:
            raise Usage(usage)
        await default(request, [])
        return
    handler = verbs.get(args[0].lower())
    if handler is None:
        raise UnknownWord(args[0], list(verbs))
    await handler(request, args[1:])
