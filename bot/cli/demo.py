"""`ecoute demo`: run the whole loop against the built-in local Slack."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import add_command, console
from bot.config import Settings
from bot.demo import run_demo


def add_parser(sub: Any) -> None:
    """Register `demo`."""
    parser = add_command(sub, "demo", "Run the whole loop against a local Slack sandbox.", run)
    parser.add_argument("--keep", action="store_true", help="leave the bot and sandbox running")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the simulated answers")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the demo (embedded defaults: the environment's settings are not used)."""
    return await run_demo(keep=args.keep, seed=args.seed, console=console())
