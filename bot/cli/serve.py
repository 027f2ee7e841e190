"""`ecoute serve`: the HTTP server, the dispatcher and the scheduler in one process."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from bot.cli.common import add_command
from bot.config import Settings
from bot.runtime import serve_forever


def add_parser(sub: Any) -> None:
    """Register `serve`."""
    parser = add_command(sub, "serve", "Run the bot (HTTP, dispatcher, scheduler).", run)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    await serve_forever(settings, host=args.host, port=args.port)
    return 0
