"""`ecoute digest run`: send now the current period's digests that have not gone yet."""

from __future__ import annotations

import argparse
from typing import Any

from rich.table import Table
from slack_sdk.web.async_client import AsyncWebClient

from bot.cli.common import add_command, console, database
from bot.config import Settings
from bot.deps import Deps
from bot.i18n import load_catalog
from bot.slack_client import build_slack_client
from domain.privacy import Pseudonymizer
from scheduler.digests import DigestReport, run_digests
from storage.engine import Database
from storage.types import utcnow


def add_parser(sub: Any) -> None:
    """Register `digest run`."""
    group = sub.add_parser("digest", help="Send or preview the owners' digests.")
    inner = group.add_subparsers(dest="digest_command", required=True, metavar="ACTION")
    run = add_command(
        inner, "run", "Send now the current period's digests that have not gone yet.", run_now
    )
    run.add_argument("--owner", metavar="USER_ID", help="only this owner's digest")
    run.add_argument("--dry-run", action="store_true", help="print the digests, send nothing")
    run.add_argument("--force", action="store_true", help="send again even if already sent")


def build_cli_deps(settings: Settings, db: Database, *, sending: bool) -> Deps:
    """Return the dependencies of a one-off run; Slack settings are required only to send."""
    slack: AsyncWebClient
    if sending:
        slack = build_slack_client(settings)
    else:
        slack = AsyncWebClient(base_url=settings.slack_api_url)  # a dry run calls nothing
    key = settings.pseudonym_key.get_secret_value() if settings.pseudonym_key else ""
    return Deps(
        settings=settings,
        database=db,
        slack=slack,
        catalog=load_catalog(settings.default_locale),
        # digests never pseudonymise anyone; the field is part of every Deps
        pseudonymize=Pseudonymizer(key.encode()),
        now=utcnow,
    )


async def run_now(args: argparse.Namespace, settings: Settings) -> int:
    """Run the digests for the period in force now, print what happened to each owner."""
    async with database(settings, migrate=settings.is_sqlite) as db:
        deps = build_cli_deps(settings, db, sending=not args.dry_run)
        report = await run_digests(
            deps,
            fire_time=deps.now(),
            owner=args.owner,
            force=args.force,
            dry_run=args.dry_run,
        )
    print_report(report, dry_run=args.dry_run)
    bad = report.by_outcome("failed") + report.by_outcome("unreachable")
    missing = [o for o in report.outcomes if o.reason == "not_an_owner"]
    return 1 if bad or missing else 0


def print_report(report: DigestReport, *, dry_run: bool) -> None:
    """Print the digests (dry run) or one row per owner."""
    out = console()
    if dry_run:
        for item in report.outcomes:
            note = f" ({item.reason})" if item.reason else ""
            out.rule(f"{item.owner}{note}")
            if item.text:
                out.print(item.text, markup=False)
        out.print(report.summary())
        return
    table = Table(title=report.summary())
    for column in ("owner", "outcome", "reason", "chart"):
        table.add_column(column)
    for item in report.outcomes:
        table.add_row(item.owner, item.outcome, item.reason or "", "yes" if item.chart else "")
    out.print(table)
