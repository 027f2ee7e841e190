"""`ecoute charter load|show|export`: the service charter as a YAML file."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from bot.cli.common import CommandError, add_command, console, database
from bot.config import Settings
from domain.charter import (
    ApplyReport,
    CharterInvalid,
    CharterSpec,
    apply_charter,
    dump_charter,
    parse_charter,
    read_charter,
)
from storage.engine import DatabaseUnavailable
from storage.types import utcnow


def add_parser(sub: Any) -> None:
    """Register `charter load`, `charter show` and `charter export`."""
    group = sub.add_parser("charter", help="Load, show or export the service charter.")
    inner = group.add_subparsers(dest="charter_command", required=True, metavar="ACTION")
    load = add_command(
        inner, "load", "Check a charter file and make the database follow it.", run_load
    )
    load.add_argument("file", type=Path, help="the charter, e.g. examples/charter-bercy.yaml")
    load.add_argument(
        "--dry-run", action="store_true", help="check and report the changes, write nothing"
    )
    add_command(inner, "show", "Print the services and commitments in force.", run_show)
    export = add_command(inner, "export", "Write the charter in force as YAML.", run_export)
    export.add_argument("--output", type=Path, help="the file to write (default: stdout)")


async def run_load(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the file, then apply it in one transaction; print every error or the report."""
    path: Path = args.file
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"cannot read {path}: {exc}") from None
    try:
        spec = parse_charter(text, filename=str(path))
        report = await _apply(settings, spec=spec, dry_run=args.dry_run)
    except CharterInvalid as exc:
        for line in exc.errors:
            print(line, file=sys.stderr)
        print(f"{path}: not loaded: {len(exc.errors)} error(s)", file=sys.stderr)
        return 1
    _print_report(report, dry_run=args.dry_run)
    return 0


async def run_show(args: argparse.Namespace, settings: Settings) -> int:
    """Print the charter in force as tables."""
    spec = await _read(settings)
    out = console()
    out.print(_services_table(spec))
    out.print(_commitments_table(spec))
    out.print(_questions_table(spec))
    if spec.owners:
        out.print(_owners_table(spec))
    return 0


async def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the charter in force as YAML, to a file or stdout."""
    text = dump_charter(await _read(settings))
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        await asyncio.to_thread(args.output.write_text, text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc}") from None
    console().print(f"Charter written to {args.output}.", markup=False)
    return 0


async def _apply(settings: Settings, *, spec: CharterSpec, dry_run: bool) -> ApplyReport:
    # SQLite is this process's own file, so loading may bring it up to date; a shared
    # PostgreSQL is migrated deliberately, with `ecoute db upgrade`.
    try:
        async with database(settings, migrate=settings.is_sqlite) as db:
            if dry_run:
                async with db.sessions() as session:
                    report = await apply_charter(session, spec=spec, now=utcnow())
                    await session.rollback()
                return report
            async with db.begin() as session:
                return await apply_charter(session, spec=spec, now=utcnow())
    except DatabaseUnavailable as exc:
        raise CommandError(f"the database is unavailable: {exc}") from None


async def _read(settings: Settings) -> CharterSpec:
    try:
        async with database(settings) as db, db.begin() as session:
            return await read_charter(session)
    except DatabaseUnavailable as exc:
        raise CommandError(f"the database is unavailable: {exc}") from None
    except CharterInvalid as exc:
        raise CommandError(
            "the stored charter cannot be exported: " + "; ".join(exc.errors)
        ) from None


def _print_report(report: ApplyReport, *, dry_run: bool) -> None:
    out = console()
    table = Table(title="Charter (dry run: nothing written)" if dry_run else "Charter loaded")
    for heading in ("", "created", "updated", "unchanged", "archived"):
        table.add_column(heading, justify="left" if not heading else "right")
    kinds = {
        "services": report.services,
        "commitments": report.commitments,
        "questions": report.questions,
        "owner schedules": report.owners,
    }
    for name, counts in kinds.items():
        table.add_row(
            name, *map(str, (counts.created, counts.updated, counts.unchanged, counts.archived))
        )
    out.print(table)
    for line in report.lines:
        out.print(f"  {line}", markup=False)
    if not report.changed:
        out.print("Nothing to change: the database already follows this charter.")


def _services_table(spec: CharterSpec) -> Table:
    table = Table(title=f"Services ({len(spec.services)})")
    table.add_column("code", no_wrap=True)
    for heading in ("name", "owners", "pulses"):
        table.add_column(heading, overflow="fold")
    for service in spec.services:
        channel = f" · {service.channel}" if service.channel else ""
        table.add_row(
            service.code,
            Text(service.name),
            Text(", ".join(service.owners)),
            Text(
                f"after {service.delay} · {service.sampling}% · {service.working_hours}"
                f" · holidays {service.holidays}{channel}"
            ),
        )
    return table


def _commitments_table(spec: CharterSpec) -> Table:
    table = Table(title=f"Commitments ({len(spec.commitments)})")
    table.add_column("code", no_wrap=True)
    table.add_column("service", no_wrap=True)
    for heading in ("target", "owners", "title"):
        table.add_column(heading, overflow="fold")
    for commitment in spec.commitments:
        table.add_row(
            commitment.code,
            commitment.service or "common",
            f"{commitment.metric} >= {commitment.threshold:g} over {commitment.window_days} d"
            f" (min {commitment.min_responses})",
            Text(", ".join(commitment.owners)),
            Text(commitment.title),
        )
    return table


def _questions_table(spec: CharterSpec) -> Table:
    table = Table(title="Questions")
    table.add_column("code", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("question (fr)", overflow="fold")
    for commitment in spec.commitments:
        for question in commitment.active_questions:
            table.add_row(question.code, question.kind, Text(question.text.fr))
    return table


def _owners_table(spec: CharterSpec) -> Table:
    table = Table(title="Digest schedules")
    table.add_column("owner", no_wrap=True)
    table.add_column("schedule")
    for owner in spec.owners:
        table.add_row(owner.user, owner.schedule)
    return table
