"""The `ecoute` command line: one sub-module per command group."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot.cli import charter, db, demo, digest, export, interactions, privacy, review, serve, stats
from bot.cli.common import CommandError
from bot.config import SettingsError, load_settings

GROUPS = (serve, demo, db, charter, interactions, digest, stats, privacy, review, export)


def build_parser() -> argparse.ArgumentParser:
    """Return the parser with every command group registered."""
    parser = argparse.ArgumentParser(
        prog="ecoute", description="Écoute: service-satisfaction pulses in Slack."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        code: int = asyncio.run(args.run(args, settings))
    except (SettingsError, CommandError) as exc:
        print(f"ecoute: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code
