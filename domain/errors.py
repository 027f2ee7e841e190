"""Errors the domain raises; each carries a catalog key so the edges can tell the user why."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no; `key` names the message shown to the user, `params` fill it."""

    key = "error.generic"

    def __init__(self, detail: str = "", *, locale: str | None = None, **params: Any) -> None:
        super().__init__(detail or self.key)
        self.locale = locale
        self.params = params


class NotFound(DomainError):
    """The thing asked for does not exist."""

    key = "error.not_found"


class NotAllowed(DomainError):
    """The caller may not do this."""

    key = "error.not_allowed"


class Conflict(DomainError):
    """The request contradicts what is already stored."""

    key = "error.conflict"


class InvalidInput(DomainError):
    """A value is malformed or out of range; `fields` maps each field to its reason."""

    key = "error.invalid"

    def __init__(
        self, detail: str = "", *, fields: dict[str, str] | None = None, **params: Any
    ) -> None:
        super().__init__(detail, **params)
        self.params.setdefault("detail", detail)
        self.fields = fields or {}
