"""`ecoute interactions import FILE.csv`: report interactions from a file, as the API would."""

from __future__ import annotations

import argparse
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from bot.cli.common import CommandError, add_command, console, database
from bot.config import Settings
from domain.intake import (
    IntakeConflict,
    IntakeInvalid,
    NewInteraction,
    ServiceDirectory,
    accept,
)
from handlers.intake.schema import DEFAULT_SOURCE, field_errors, validate_interaction
from storage.engine import Database
from storage.group_commit import is_unavailable, run_once
from storage.types import utcnow

COLUMNS = (
    "external_id",
    "source",
    "service",
    "slack_user_id",
    "email",
    "occurred_at",
    "reference",
    "summary",
    "send_after",
)
REQUIRED = ("external_id", "service", "occurred_at")
BATCH = 500


def add_parser(sub: Any) -> None:
    """Register `interactions import`."""
    group = sub.add_parser("interactions", help="Report service interactions.")
    inner = group.add_subparsers(dest="interactions_command", required=True, metavar="ACTION")
    command = add_command(
        inner,
        "import",
        "Import interactions from a CSV file, with the API's rules and idempotency.",
        run_import,
    )
    command.add_argument(
        "file", type=Path, metavar="FILE.csv", help=f"columns: {','.join(COLUMNS)}"
    )
    command.add_argument(
        "--source",
        default=DEFAULT_SOURCE,
        help=f"the source of rows whose source cell is empty (default: {DEFAULT_SOURCE})",
    )


@dataclass(frozen=True)
class Row:
    """One data line of the file: the interaction it holds, or why it is refused."""

    line: int
    item: NewInteraction | None
    reason: str = ""


@dataclass
class Tally:
    """What became of the file's rows."""

    accepted: int = 0
    duplicate: int = 0
    refused: list[tuple[int, str]] | None = None

    def refuse(self, line: int, reason: str) -> None:
        """Count a refused line."""
        if self.refused is None:
            self.refused = []
        self.refused.append((line, reason))


async def run_import(args: argparse.Namespace, settings: Settings) -> int:
    """Import the file in batches; exit 1 if any line was refused."""
    tally = Tally()
    rounds: list[list[Row]] = []
    seen: dict[tuple[str, str], int] = {}
    for row in read_rows(args.file, default_source=args.source):
        if row.item is None:
            tally.refuse(row.line, row.reason)
            continue
        # a key repeated in the file goes to a later round, so that it meets the stored row
        # exactly as a replay to the API would (duplicate, or refused as a conflict)
        occurrence = seen.get(row.item.key, 0)
        seen[row.item.key] = occurrence + 1
        if occurrence == len(rounds):
            rounds.append([])
        rounds[occurrence].append(row)

    try:
        await _import(settings, rounds, tally)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        _report(tally)
        raise CommandError(
            f"the database is unavailable ({exc}); importing the file again is safe"
        ) from exc
    _report(tally)
    return 1 if tally.refused else 0


async def _import(settings: Settings, rounds: list[list[Row]], tally: Tally) -> None:
    async with database(settings, migrate=settings.is_sqlite) as db:
        services = ServiceDirectory()
        columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console(), transient=True) as progress:
            task = progress.add_task("import", total=sum(len(rows) for rows in rounds))
            for rows in rounds:
                for start in range(0, len(rows), BATCH):
                    batch = rows[start : start + BATCH]
                    await _import_batch(db, services, batch, tally)
                    progress.advance(task, len(batch))


async def _import_batch(
    db: Database, services: ServiceDirectory, batch: list[Row], tally: Tally
) -> None:
    """Store a batch; rows the domain refuses are set aside and the rest is tried again."""
    while batch:
        items = [row.item for row in batch if row.item is not None]
        unit = partial(accept, items=items, services=services, now=utcnow())
        try:
            receipts = await run_once(db, unit)
        except (IntakeInvalid, IntakeConflict) as exc:
            refused = {problem.index: problem for problem in exc.problems}
            for index, problem in sorted(refused.items()):
                field = "" if problem.field == "external_id" else f"{problem.field}: "
                tally.refuse(batch[index].line, f"{field}{problem.reason}")
            batch = [row for index, row in enumerate(batch) if index not in refused]
            continue
        for receipt in receipts:
            if receipt.status == "accepted":
                tally.accepted += 1
            else:
                tally.duplicate += 1
        return


def read_rows(path: Path, *, default_source: str) -> Iterator[Row]:
    """Yield each data line of a CSV file, validated; raise CommandError if the header is wrong."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames
        if not header:
            raise CommandError(f"{path} has no header line")
        unknown = [name for name in header if name not in COLUMNS]
        if unknown:
            raise CommandError(
                f"unknown columns: {', '.join(unknown)} (known: {','.join(COLUMNS)})"
            )
        missing = [name for name in REQUIRED if name not in header]
        if "slack_user_id" not in header and "email" not in header:
            missing.append("slack_user_id or email")
        if missing:
            raise CommandError(f"missing columns: {', '.join(missing)}")
        try:
            for record in reader:
                yield _row(reader.line_num, record, default_source)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise CommandError(f"{path} line {reader.line_num}: {exc}") from None


def _row(line: int, record: dict[str | Any, Any], default_source: str) -> Row:
    if None in record:
        return Row(line, None, "more cells than columns")
    cells = {name: (value or "").strip() or None for name, value in record.items()}
    document = {
        "external_id": cells.get("external_id") or "",
        "source": cells.get("source") or default_source,
        "service": cells.get("service") or "",
        "beneficiary": {"slack_user_id": cells.get("slack_user_id"), "email": cells.get("email")},
        "occurred_at": cells.get("occurred_at") or "",
        "reference": cells.get("reference"),
        "summary": cells.get("summary"),
        "send_after": cells.get("send_after"),
    }
    try:
        return Row(line, validate_interaction(document))
    except ValidationError as exc:
        reasons = []
        for error in field_errors(exc):
            column = error.path.removeprefix("beneficiary.")
            if column == "beneficiary":
                column = "slack_user_id/email"
            reasons.append(f"{column}: {error.reason}")
        return Row(line, None, "; ".join(reasons))


def _report(tally: Tally) -> None:
    out = console()
    table = Table(show_header=False, box=None)
    table.add_row("accepted", str(tally.accepted))
    table.add_row("duplicate", str(tally.duplicate))
    table.add_row("refused", str(len(tally.refused or [])))
    out.print(table)
    for line, reason in sorted(tally.refused or []):
        out.print(f"line {line}: {reason}", markup=False, soft_wrap=True)
