"""`ecoute db upgrade`: apply the schema migrations."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import add_command, console
from bot.config import Settings
from storage.engine import open_database
from storage.migrate import upgrade


def add_parser(sub: Any) -> None:
    """Register `db upgrade`."""
    group = sub.add_parser("db", help="Manage the database schema.")
    inner = group.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    add_command(inner, "upgrade", "Apply every pending migration.", run_upgrade)


async def run_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """Apply every pending migration and say so."""
    database = open_database(settings.database_url)
    try:
        await upgrade(database)
    finally:
        await database.dispose()
    console().print("Schema up to date.")
    return 0
