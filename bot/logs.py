"""Structured logs: one JSON object a line, with the request id, and no secret or email in them."""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

# Set by the web server's middleware for the duration of one request (and inherited by the
# tasks it starts), so every line logged while serving it carries the same id.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

_INCOMING_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

# Slack tokens (bot, user, app-level, refresh), Standard Webhooks secrets and signatures, Slack
# request signatures, bearer credentials, passwords in URLs, and email addresses.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bxox[abposre]-[A-Za-z0-9-]+"), "xox*-[redacted]"),
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), "xapp-[redacted]"),
    (re.compile(r"\bwhsec_[A-Za-z0-9+/=]+"), "whsec_[redacted]"),
    (re.compile(r"\bv0=[0-9a-fA-F]{16,}"), "v0=[redacted]"),
    (re.compile(r"\bv1,[A-Za-z0-9+/=]{16,}"), "v1,[redacted]"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [redacted]"),
    (re.compile(r"\b([a-z][a-z0-9+.-]*://[^:/@\s]+):[^@/\s]+@"), r"\1:[redacted]@"),
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"), "[email]"),
)
# Attributes every LogRecord has; anything else was passed through `extra=` and is logged too.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


def new_request_id(incoming: str | None) -> str:
    """Return the caller's request id if it is a sane one, else a fresh one."""
    if incoming and _INCOMING_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class Redactor:
    """Replace tokens, secrets, signatures and emails in text, plus the deployment's own secrets."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Short values would blank out ordinary words; real secrets are long.
        self.secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        """Return `text` with every sensitive value replaced."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, "[redacted]")
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text


class RedactionFilter(logging.Filter):
    """Redact a record's message and traceback before any handler writes it."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Freeze the formatted message, redacted; never drop the record."""
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        record.exc_info = None  # the redacted exc_text stands in for it
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message, request id, extras."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redact = redactor

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a single line of JSON."""
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = request_id.get()
        if current is not None:
            line["request_id"] = current
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        # Extras are caller data: redact the whole line, not only the message.
        return self.redact(json.dumps(line, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    """Format a record for a terminal, with the request id when there is one."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        self.redact = redactor

    def format(self, record: logging.LogRecord) -> str:
        """Return the classic one-line form, redacted."""
        text = super().format(record)
        current = request_id.get()
        return self.redact(f"{text} [request {current}]" if current else text)


def configure_logging(
    *, level: str, fmt: str, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """Send every log record to `stream` (stderr) as JSON or text, redacted; return the handler."""
    redactor = Redactor(secrets)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(redactor) if fmt == "json" else TextFormatter(redactor))
    handler.addFilter(RedactionFilter(redactor))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # Per-run chatter (APScheduler announces every dispatch pass, slack_sdk every retry,
    # Alembic every readiness probe); the metrics count these, and DEBUG still shows them.
    chatty_loggers = ("apscheduler.executors", "slack_sdk.web", "slack_sdk.http_retry", "alembic")
    for chatty in chatty_loggers:
        logging.getLogger(chatty).setLevel(logging.WARNING if level != "DEBUG" else logging.DEBUG)
    return handler
