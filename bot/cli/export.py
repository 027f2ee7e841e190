"""`ecoute export answers --format csv|xlsx [--period P] [--output FILE]`: for analysts."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.cli.common import CommandError, add_command, console, database
from bot.config import Settings
from bot.i18n import load_catalog
from bot.reports.export_files import FORMATS, write_export
from domain.errors import DomainError
from domain.exports import answer_lines, new_salt, plan_export
from domain.review_periods import parse_period
from domain.reviews import MIN_GROUP
from storage.types import utcnow


def add_parser(sub: Any) -> None:
    """Register `export answers`."""
    group = sub.add_parser("export", help="Export data for analysts.")
    inner = group.add_subparsers(dest="export_command", required=True, metavar="WHAT")
    answers = add_command(
        inner,
        "answers",
        "Export pseudonymous answers and aggregates (small groups dropped, keys per export).",
        run_answers,
    )
    answers.add_argument("--format", choices=FORMATS, default="csv", dest="fmt")
    answers.add_argument("--period", help="2026-Q3, 2026-09 or 2026 (default: all retained)")
    answers.add_argument("--output", type=Path, metavar="FILE", help="file to write")


async def run_answers(args: argparse.Namespace, settings: Settings) -> int:
    """Write the export; print the files, the answers written and the cells dropped."""
    catalog = load_catalog(settings.default_locale)
    locale = settings.default_locale
    zone = settings.zone
    try:
        period = parse_period(args.period, locale=locale) if args.period else None
    except DomainError as refusal:
        raise CommandError(catalog.t(locale, refusal.key, **refusal.params)) from None
    label = period.label if period else "all"
    output: Path = args.output or Path(f"ecoute-answers-{label}.{args.fmt}")
    about = [
        catalog.t(locale, "review.export.about", period=label, date=utcnow().date().isoformat()),
        catalog.t(locale, "review.export.cells", minimum=MIN_GROUP),
        catalog.t(locale, "review.export.keys"),
        catalog.t(locale, "review.export.comments"),
    ]
    async with database(settings, migrate=settings.is_sqlite) as db, db.begin() as session:
        plan = await plan_export(
            session,
            period=period,
            zone=zone,
            now=utcnow(),
            email_mask=catalog.t(locale, "digest.email_mask"),
            phone_mask=catalog.t(locale, "digest.phone_mask"),
        )
        # The salt lives only in this process: the keys cannot be recomputed afterwards.
        lines = answer_lines(session, plan=plan, zone=zone, salt=new_salt())
        written = await write_export(plan, lines, fmt=args.fmt, output=output, about=about)
    out = console()
    for path in written.paths:
        out.print(str(path))
    out.print(
        f"{written.answers} answer(s) in {len(plan.cells)} cell(s); "
        f"{plan.dropped} cell(s) under {MIN_GROUP} respondents dropped."
    )
    return 0
