"""`ecoute privacy export|erase --user ID`: the rights of access and erasure."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from bot.cli.common import CommandError, add_command, console, database
from bot.config import Settings
from domain.privacy import Pseudonymizer
from domain.subject_rights import erase_person, export_person


def add_parser(sub: Any) -> None:
    """Register `privacy export` and `privacy erase`."""
    group = sub.add_parser("privacy", help="Answer a person's access or erasure request.")
    inner = group.add_subparsers(dest="privacy_command", required=True, metavar="ACTION")
    export = add_command(
        inner, "export", "Export everything linked to a person (JSON).", run_export
    )
    export.add_argument("--user", required=True, help="the person's Slack user id")
    export.add_argument("--output", type=Path, help="write to this file instead of stdout")
    erase = add_command(inner, "erase", "Erase a person's answers, comments and links.", run_erase)
    erase.add_argument("--user", required=True, help="the person's Slack user id")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")


def _pseudonymizer(settings: Settings) -> Pseudonymizer:
    settings.require("pseudonym_key")
    return Pseudonymizer(settings.secret("pseudonym_key").encode())


async def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """Print (or write) the person's data as JSON."""
    pseudonymize = _pseudonymizer(settings)
    async with database(settings, migrate=settings.is_sqlite) as db, db.begin() as session:
        data = await export_person(session, user_id=args.user, pseudonymize=pseudonymize)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
        console().print(f"Written to {args.output}")
    else:
        print(text)
    return 0


async def run_erase(args: argparse.Namespace, settings: Settings) -> int:
    """Erase the person after confirmation; print what was removed."""
    pseudonymize = _pseudonymizer(settings)
    if not args.yes:
        prompt = f"Erase every answer, comment and link of {args.user}? Type the id: "
        answer = await asyncio.to_thread(input, prompt)
        if answer.strip() != args.user:
            raise CommandError("not confirmed: nothing erased")
    async with database(settings, migrate=settings.is_sqlite) as db, db.begin() as session:
        report = await erase_person(session, user_id=args.user, pseudonymize=pseudonymize)
    console().print(
        f"Erased {args.user}: {report.answers} answers, {report.comments} comments, "
        f"{report.pulses} pulses and {report.interactions} interactions unlinked, "
        f"{report.person} directory entry, {report.roles} roles."
    )
    return 0
