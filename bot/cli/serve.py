"""`ecoute serve`: the HTTP server, the dispatcher and the scheduler in one process."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import CommandError, add_command
from bot.config import Settings
from bot.logs import configure_logging
from bot.runtime import serve_forever
from bot.sqlite_guard import AlreadyServing


def add_parser(sub: Any) -> None:
    """Register `serve`."""
    parser = add_command(sub, "serve", "Run the bot (HTTP, dispatcher, scheduler).", run)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument(
        "--socket-mode",
        action="store_true",
        help="receive Slack's events over Socket Mode (needs SLACK_APP_TOKEN), no public URL",
    )
    parser.add_argument(
        "--migrate",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="apply migrations at start (default: on for SQLite; on PostgreSQL an advisory "
        "lock lets several instances start together)",
    )


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until SIGTERM."""
    configure_logging(level=settings.log_level, fmt=settings.log_format, secrets=_secrets(settings))
    migrate = settings.is_sqlite if args.migrate is None else bool(args.migrate)
    try:
        await serve_forever(
            settings,
            host=args.host,
            port=args.port,
            migrate=migrate,
            socket_mode_on=args.socket_mode,
        )
    except AlreadyServing as exc:
        raise CommandError(str(exc)) from None
    return 0


def _secrets(settings: Settings) -> list[str]:
    """Return every secret value the logs must never show."""
    values = [
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
        settings.pseudonym_key,
        *settings.intake_secrets,
    ]
    return [value.get_secret_value() for value in values if value is not None]
