"""Read Web API arguments the way Slack does: query, form or JSON, JSON-encoded fields."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.sandbox.errors import ApiError
from bot.sandbox.modals import ViewStore
from bot.sandbox.workspace import Workspace

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def read_arguments(request: web.Request) -> dict[str, Any]:
    """Merge query-string and body arguments; raise `invalid_json` on a malformed JSON body."""
    values: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.body_exists:
        return values
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as error:
            raise ApiError("invalid_json") from error
        if not isinstance(body, dict):
            raise ApiError("invalid_json")
        values.update(body)
    elif request.content_type in FORM_TYPES:
        form = await request.post()
        values.update({key: value for key, value in form.items() if isinstance(value, str)})
    return values


class Params:
    """Typed access to one call's arguments."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def optional(self, name: str) -> str | None:
        """Return a string argument, numbers included, or None when absent or empty."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if not isinstance(value, str):
            raise ApiError("invalid_arguments")
        return value

    def required(self, name: str, error: str = "invalid_arguments") -> str:
        """Return a string argument or raise `error` (Slack names it per method)."""
        value = self.optional(name)
        if value is None:
            raise ApiError(error)
        return value

    def flag(self, name: str) -> bool:
        """Return a boolean argument sent as true/false, 1/0 or a JSON boolean."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def number(self, name: str, default: int) -> int:
        """Return an integer argument, or `default` when absent."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError) as error:
            raise ApiError("invalid_arguments") from error

    def structure(self, name: str, error: str) -> Any:
        """Return a JSON argument, decoding it when it came form-encoded as a string."""
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value) if value else None
            except ValueError as exc:
                raise ApiError(error) from exc
        return value

    def recorded(self) -> dict[str, Any]:
        """Return the arguments as recorded in `calls`, without the token."""
        return {key: value for key, value in self.values.items() if key != "token"}


@dataclass(frozen=True)
class ApiContext:
    """What the method handlers work on."""

    workspace: Workspace
    views: ViewStore
    base_url: Callable[[], str]


Handler = Callable[[ApiContext, Params], dict[str, Any]]
