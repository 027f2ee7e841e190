"""Measure all digests' figures over millions of stored answers, next to one plain GROUP BY.

    .venv/bin/python benchmarks/digest.py [--answers 1000000] [--backend sqlite|postgres|both]
        [--postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres] [--reuse]

Synthetic data: 500 commitments (the five metrics in turn, windows of 14 to 90 days) across
50 services, 2,000 owners, 200,000 respondents, answers spread evenly over 24 months (the
retention period), two answers per answered pulse, one unanswered pulse per four answered,
a comment on one pulse in fifty. Rows are bulk loaded (sqlite3 executemany in large
transactions / PostgreSQL COPY) with the indexes built afterwards, then ANALYZE (and VACUUM on
PostgreSQL, which index-only scans need; autovacuum does it in production).

"All digests' figures" is what `run_digests` computes before rendering: the owner ->
commitments plan of the 2,000 owners (their schedules and people read), then, once for the fire
time, every commitment's score over its window and the previous one, response rates, 12 weekly
points and the recent comments shown. The reference is one GROUP BY over the same 12 weeks
(count, distinct respondents, sum of values): the floor any approach pays.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest_data import AS_OF, DEFAULT_PG, load_postgres, load_sqlite  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from domain.digests import digest_figures, plan_digests  # noqa: E402
from domain.tallies import load_commitments  # noqa: E402
from storage.engine import Database, open_database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

REFERENCE = text(
    "SELECT commitment_id, count(*), count(DISTINCT respondent), sum(value) FROM answer "
    "WHERE answered_at >= :start AND answered_at < :end GROUP BY commitment_id"
)


async def all_digests(database: Database) -> tuple[int, int]:
    """Compute every owner's digest figures; return (owners planned, commitments scored)."""
    async with database.sessions() as session:
        commitments = await load_commitments(session)
        plans = await plan_digests(
            session, fire_time=AS_OF, zone=ZoneInfo("Europe/Paris"), commitments=commitments
        )
        figures = await digest_figures(session, as_of=AS_OF, commitments=commitments)
    return len(plans), len(figures.cards)


async def reference(database: Database) -> int:
    """Run the plain GROUP BY over the 12 weeks the digest reads; return the answers counted."""
    async with database.engine.connect() as connection:
        rows = (
            await connection.execute(
                REFERENCE,
                {"start": _naive(AS_OF - timedelta(weeks=12)), "end": _naive(AS_OF)},
            )
        ).all()
    return sum(int(row[1]) for row in rows)


def _naive(instant: datetime) -> Any:
    return instant.astimezone(UTC).replace(tzinfo=None)


async def timed(work: Any, repeat: int) -> tuple[float, float, Any]:
    """Return (first run, median of the warm runs, result) in seconds."""
    started = time.perf_counter()
    result = await work()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        await work()
        warm.append(time.perf_counter() - started)
    return cold, statistics.median(warm), result


async def measure(backend: str, url: str, answers: int, repeat: int) -> dict[str, Any]:
    """Time the digests' figures and the reference on one database."""
    database = open_database(url)
    try:
        ref_cold, ref_warm, counted = await timed(lambda: reference(database), repeat)
        fig_cold, fig_warm, (owners, scored) = await timed(lambda: all_digests(database), repeat)
    finally:
        await database.dispose()
    return {
        "backend": backend,
        "answers": answers,
        "in_12_weeks": counted,
        "ref_cold": ref_cold,
        "ref_warm": ref_warm,
        "fig_cold": fig_cold,
        "fig_warm": fig_warm,
        "owners": owners,
        "scored": scored,
    }


async def _upgrade(url: str) -> None:
    database = open_database(url)
    try:
        await upgrade(database)
    finally:
        await database.dispose()


async def prepare_sqlite(workdir: Path, answers: int, reuse: bool) -> str:
    """Return the URL of a loaded SQLite file (built unless reusable)."""
    path = workdir / f"digest-{answers}.db"
    url = f"sqlite+aiosqlite:///{path}"
    if reuse and path.exists():
        await _upgrade(url)
        return url
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)  # noqa: ASYNC240  (before any work)
    await _upgrade(url)
    started = time.perf_counter()
    await asyncio.to_thread(load_sqlite, path, answers)
    print(f"sqlite: loaded {answers:,} answers in {time.perf_counter() - started:.1f} s")
    return url


async def prepare_postgres(admin_url: str, answers: int, reuse: bool) -> str:
    """Return the URL of a loaded PostgreSQL database (built unless reusable)."""
    name = f"ecoute_bench_{answers}"
    base = admin_url.rpartition("/")[0]
    url = f"{base}/{name}"
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        exists = (
            await connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
        ).first()
        if exists and reuse:
            await engine.dispose()
            await _upgrade(url)
            return url
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    await _upgrade(url)
    started = time.perf_counter()
    await load_postgres(url, answers)
    print(f"postgres: loaded {answers:,} answers in {time.perf_counter() - started:.1f} s")
    return url


async def main() -> None:
    """Parse the arguments, build or reuse the databases, measure, print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--answers", type=int, action="append", help="stored answers (repeatable)")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("ECOUTE_BENCH_POSTGRES_URL", DEFAULT_PG)
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ecoute-bench"))
    parser.add_argument("--repeat", type=int, default=5, help="warm runs (median reported)")
    parser.add_argument("--reuse", action="store_true", help="reuse databases built earlier")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for answers in args.answers or [1_000_000]:
        if args.backend in ("sqlite", "both"):
            url = await prepare_sqlite(args.workdir, answers, args.reuse)
            results.append(await measure("SQLite", url, answers, args.repeat))
        if args.backend in ("postgres", "both"):
            url = await prepare_postgres(args.postgres_url, answers, args.reuse)
            results.append(await measure("PostgreSQL", url, answers, args.repeat))
    table = Table(title="All digests' figures vs one plain GROUP BY (seconds)")
    for column in (
        "database",
        "answers",
        "in 12 weeks",
        "GROUP BY cold",
        "GROUP BY warm",
        "digests cold",
        "digests warm",
        "warm ratio",
        "owners",
        "< 2 s warm",
    ):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(
            r["backend"],
            f"{r['answers']:,}",
            f"{r['in_12_weeks']:,}",
            f"{r['ref_cold']:.3f}",
            f"{r['ref_warm']:.3f}",
            f"{r['fig_cold']:.3f}",
            f"{r['fig_warm']:.3f}",
            f"{r['fig_warm'] / r['ref_warm']:.1f}x",
            f"{r['owners']:,}",
            "yes" if r["fig_warm"] < 2 else "NO",
        )
    Console(width=160).print(table)


if __name__ == "__main__":
    asyncio.run(main())
