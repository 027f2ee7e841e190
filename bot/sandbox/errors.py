"""Errors the sandbox raises: Slack API errors and misuse by a test."""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    """A test drove the sandbox into something Slack itself would never do."""


class ApiError(Exception):
    """A Slack Web API error answer: `{"ok": false, "error": ...}` plus optional fields."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra

    def body(self) -> dict[str, Any]:
        """Return the JSON body Slack would send."""
        return {"ok": False, "error": self.error, **self.extra}
