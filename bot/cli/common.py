"""Pieces shared by the command-line groups."""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

from rich.console import Console

from bot.config import Settings
from storage.engine import Database, open_database
from storage.migrate import is_current, upgrade

Runner: TypeAlias = Callable[[argparse.Namespace, Settings], Awaitable[int]]
SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


class CommandError(Exception):
    """A command cannot proceed; the message is printed as one line and the exit code is 2."""


def console() -> Console:
    """Return the terminal console (stdout)."""
    return Console(highlight=False)


def add_command(sub: Any, name: str, help_text: str, run: Runner) -> argparse.ArgumentParser:
    """Add a sub-command whose coroutine `run(args, settings)` returns the exit code."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(run=run)
    return parser


@asynccontextmanager
async def database(settings: Settings, *, migrate: bool = False) -> AsyncIterator[Database]:
    """Open the configured database; bring SQLite up to date if asked, else insist it is current."""
    db = open_database(settings.database_url)
    try:
        if migrate:
            await upgrade(db)
        elif not await is_current(db):
            raise CommandError("the database schema is not current: run `ecoute db upgrade`")
        yield db
    finally:
        await db.dispose()
