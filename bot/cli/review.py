"""`ecoute review --period 2026-Q3 [--service CODE] [--output DIR]`: write the review pack."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.cli.common import CommandError, add_command, console, database
from bot.config import Settings
from bot.i18n import load_catalog
from bot.reports.files import PackFile
from bot.reports.review_pack import render_review
from domain.errors import DomainError
from domain.review_periods import parse_period
from domain.reviews import review_pack
from storage.types import utcnow


def add_parser(sub: Any) -> None:
    """Register `review`."""
    parser = add_command(
        sub,
        "review",
        "Write a commitment review pack: Markdown with charts, and CSV aggregates.",
        run,
    )
    parser.add_argument("--period", required=True, help="2026-Q3, 2026-09 or 2026")
    parser.add_argument("--service", metavar="CODE", help="only this service's commitments")
    parser.add_argument("--output", type=Path, metavar="DIR", help="folder to write to")
    parser.add_argument("--lang", choices=("fr", "en"), help="language of the document")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Compute the review and write its files; print where."""
    catalog = load_catalog(settings.default_locale)
    locale = args.lang or settings.default_locale
    zone = settings.zone
    try:
        period = parse_period(args.period, locale=locale)
        async with database(settings, migrate=settings.is_sqlite) as db, db.begin() as session:
            pack = await review_pack(
                session,
                period=period,
                service=args.service,
                caller=None,
                now=utcnow(),
                zone=zone,
                email_mask=catalog.t(locale, "digest.email_mask"),
                phone_mask=catalog.t(locale, "digest.phone_mask"),
            )
    except DomainError as refusal:
        raise CommandError(catalog.t(locale, refusal.key, **refusal.params)) from None
    files = await render_review(pack, catalog, locale, zone)
    folder: Path = args.output or Path(files[0].filename.removesuffix(".md"))
    out = console()
    for path in await asyncio.to_thread(_write, folder, files):
        out.print(str(path))
    out.print(f"Review {period.label}: {len(pack.lines)} commitment(s), {len(files)} file(s).")
    return 0


def _write(folder: Path, files: Sequence[PackFile]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / item.filename for item in files]
    for path, item in zip(paths, files, strict=True):
        path.write_bytes(item.content)
    return paths
