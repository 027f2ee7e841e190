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
import sqlite3
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from domain.digests import digest_figures, plan_digests  # noqa: E402
from domain.tallies import load_commitments  # noqa: E402
from storage.engine import Database, open_database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

AS_OF = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SPAN_DAYS = 730
COMMITMENTS = 500
SERVICES = 50
OWNERS = 2000
RESPONDENTS = 200_000
METRICS = ("csat", "nps", "yes_rate", "effort", "mean")
METRIC_KIND = {
    "csat": "rating_5",
    "nps": "nps_10",
    "yes_rate": "yes_no",
    "effort": "effort_7",
    "mean": "rating_5",
}
THRESHOLD = {"csat": 80.0, "nps": 20.0, "yes_rate": 75.0, "effort": 70.0, "mean": 3.8}
RANGE = {"rating_5": (1, 5), "nps_10": (0, 10), "effort_7": (1, 7), "yes_no": (0, 1)}
WINDOWS = (30, 30, 30, 30, 30, 30, 30, 14, 60, 90)
CHUNK_PULSES = 250_000
INDEXED = ("answer", "pulse", "comment")
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class Charter:
    """The synthetic charter: per commitment its metric kind, quality and question ids."""

    kinds: list[str]
    quality: np.ndarray
    metric_question: list[int]
    other_question: list[int]
    other_kind: list[str]
    service: list[int | None]


# ------------------------------------------------------------------------- generation


def charter_rows() -> tuple[Charter, dict[str, list[tuple[Any, ...]]]]:
    """Return the synthetic charter and its rows per table."""
    rng = np.random.default_rng(7)
    owners = [f"U{index:08X}" for index in range(OWNERS)]
    services = [
        (
            i + 1,
            f"S{i:03d}",
            f"Service {i}",
            f'["{owners[(2 * i) % OWNERS]}", "{owners[(2 * i + 1) % OWNERS]}"]',
        )
        for i in range(SERVICES)
    ]
    commitments, questions = [], []
    kinds, metric_q, other_q, other_kinds, service_of = [], [], [], [], []
    for i in range(COMMITMENTS):
        metric = METRICS[i % len(METRICS)]
        service = None if i % 10 == 9 else (i % SERVICES) + 1
        named = ", ".join(f'"{owners[(4 * i + k) % OWNERS]}"' for k in range(4))
        commitments.append(
            (
                i + 1,
                f"C{i:04d}",
                service,
                f"Engagement {i}",
                metric,
                THRESHOLD[metric],
                5,
                WINDOWS[i % len(WINDOWS)],
                f"[{named}]",
            )
        )
        kind = METRIC_KIND[metric]
        other = "rating_5" if kind == "yes_no" else "yes_no"
        base = 3 * i
        for offset, (q_kind, position) in enumerate(((kind, 1), (other, 2), ("text", 3))):
            questions.append((base + offset + 1, f"C{i:04d}-Q{position}", i + 1, q_kind, position))
        kinds.append(kind)
        metric_q.append(base + 1)
        other_q.append(base + 2)
        other_kinds.append(other)
        service_of.append(service)
    schedules = [(owners[i], "mon,thu 09:00") for i in range(0, OWNERS, 10)]
    people = [(owner, "fr-FR" if i % 3 else "en-US") for i, owner in enumerate(owners)]
    charter = Charter(
        kinds=kinds,
        quality=rng.uniform(0.35, 0.97, COMMITMENTS),
        metric_question=metric_q,
        other_question=other_q,
        other_kind=other_kinds,
        service=service_of,
    )
    return charter, {
        "service": services,
        "commitment": commitments,
        "question": questions,
        "owner_schedule": schedules,
        "person": people,
    }


def _values(rng: np.random.Generator, kinds: np.ndarray, quality: np.ndarray) -> np.ndarray:
    """Draw answers per kind, better on average where the commitment's quality is high."""
    values = np.zeros(len(kinds), dtype=np.int64)
    for kind, (low, high) in RANGE.items():
        mask = kinds == kind
        if not mask.any():
            continue
        if kind == "yes_no":
            values[mask] = rng.random(mask.sum()) < quality[mask]
            continue
        centre = low + (high - low) * quality[mask]
        drawn = np.rint(rng.normal(centre, (high - low) / 4))
        values[mask] = np.clip(drawn, low, high)
    return values


@dataclass
class Chunk:
    """One slice of pulses with their two answers each (and some unanswered pulses)."""

    pulses: list[tuple[Any, ...]]
    answers: list[tuple[Any, ...]]
    comments: list[tuple[Any, ...]]


def chunks(charter: Charter, answers: int, *, as_text: bool) -> Iterator[Chunk]:
    """Yield the pulses, answers and comments, CHUNK_PULSES answered pulses at a time."""
    rng = np.random.default_rng(11)
    respondents = [f"{rng.bytes(32).hex()}" for _ in range(RESPONDENTS)]
    kinds = np.array(charter.kinds)
    other_kinds = np.array(charter.other_kind)
    metric_q = np.array(charter.metric_question)
    other_q = np.array(charter.other_question)
    service = np.array([s or 1 for s in charter.service])
    answered_total = answers // 2
    unanswered_total = answered_total // 4
    start = int((AS_OF - timedelta(days=SPAN_DAYS)).timestamp())
    pulse_id, answer_id, comment_id, done = 1, 1, 1, 0
    while done < answered_total:
        size = min(CHUNK_PULSES, answered_total - done)
        extra = unanswered_total * size // answered_total
        total = size + extra
        commitment = rng.integers(0, COMMITMENTS, total)
        who = rng.integers(0, RESPONDENTS, total)
        answered_at = rng.integers(start, start + SPAN_DAYS * 86400, total)
        sent_at = answered_at - rng.integers(600, 86400, total)
        status = np.where(
            np.arange(total) < size,
            "answered",
            np.where(rng.random(total) < 0.8, "expired", "sent"),
        )
        ids = np.arange(pulse_id, pulse_id + total)
        sent_values = _stamps(sent_at, as_text)
        answered_values = _stamps(answered_at[:size], as_text)
        statuses = status.tolist()
        commitments = commitment.tolist()
        people = [respondents[i] for i in who.tolist()]
        services = service[commitment].tolist()
        pulse_rows = [
            (
                pid,
                pid,
                services[k],
                statuses[k],
                people[k],
                "fr",
                commitments[k] + 1,
                "[]",
                sent_values[k],
                1,
                sent_values[k],
            )
            for k, pid in enumerate(ids.tolist())
        ]
        first = commitment[:size]
        metric_values = _values(rng, kinds[first], charter.quality[first]).tolist()
        other_values = _values(rng, other_kinds[first], charter.quality[first]).tolist()
        mq, oq = metric_q[first].tolist(), other_q[first].tolist()
        answer_rows: list[tuple[Any, ...]] = []
        for k in range(size):
            c = commitments[k] + 1
            answer_rows.append(
                (answer_id, ids[k], mq[k], c, people[k], metric_values[k], answered_values[k])
            )
            answer_rows.append(
                (answer_id + 1, ids[k], oq[k], c, people[k], other_values[k], answered_values[k])
            )
            answer_id += 2
        comment_rows = []
        for k in range(0, size, 50):
            text_ = "Très bien, merci" if k % 100 else "Rappelez-moi au 06 12 34 56 78 svp"
            comment_rows.append(
                (comment_id, int(ids[k]), commitments[k] + 1, people[k], text_, answered_values[k])
            )
            comment_id += 1
        pulse_id += total
        done += size
        yield Chunk(pulse_rows, answer_rows, comment_rows)


def _stamps(seconds: np.ndarray, as_text: bool) -> list[Any]:
    stamps = seconds.astype("datetime64[s]").astype("datetime64[us]")
    if as_text:
        # SQLAlchemy's SQLite DateTime format: space separator, always six fraction digits
        return np.char.replace(np.datetime_as_string(stamps, unit="us"), "T", " ").tolist()
    return stamps.tolist()


PULSE_COLUMNS = (
    "id, interaction_id, service_id, status, respondent, locale, commitment_id, question_ids, "
    "due_at, attempts, sent_at"
)
ANSWER_COLUMNS = "id, pulse_id, question_id, commitment_id, respondent, value, answered_at"
COMMENT_COLUMNS = "id, pulse_id, commitment_id, respondent, text, created_at"


# ------------------------------------------------------------------------- loading


def _index_ddl_sqlite(connection: sqlite3.Connection) -> list[tuple[str, str]]:
    marks = ",".join("?" * len(INDEXED))
    return connection.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks})",
        INDEXED,
    ).fetchall()


def load_sqlite(path: Path, answers: int) -> None:
    """Fill a migrated SQLite file with the synthetic data."""
    charter, rows = charter_rows()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA foreign_keys=OFF")
    connection.execute("PRAGMA cache_size=-1000000")
    indexes = _index_ddl_sqlite(connection)
    for name, _ in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO service (id, code, name, owners, delay_minutes, sampling_percent, "
        "working_hours, holidays, paused) VALUES (?, ?, ?, ?, 120, 100, 'any', 'none', 0)",
        rows["service"],
    )
    connection.executemany(
        "INSERT INTO commitment (id, code, service_id, title, metric, threshold, min_responses, "
        "window_days, owners) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows["commitment"],
    )
    connection.executemany(
        "INSERT INTO question (id, code, commitment_id, kind, text_fr, text_en, position, active)"
        " VALUES (?, ?, ?, ?, 'Q', 'Q', ?, 1)",
        rows["question"],
    )
    connection.executemany(
        "INSERT INTO owner_schedule (user_id, schedule) VALUES (?, ?)", rows["owner_schedule"]
    )
    connection.executemany(
        "INSERT INTO person (user_id, locale, deleted, is_bot, opted_out) VALUES (?, ?, 0, 0, 0)",
        rows["person"],
    )
    connection.execute("COMMIT")
    for chunk in chunks(charter, answers, as_text=True):
        connection.execute("BEGIN")
        connection.executemany(
            f"INSERT INTO pulse ({PULSE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            chunk.pulses,
        )
        connection.executemany(
            f"INSERT INTO answer ({ANSWER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)", chunk.answers
        )
        connection.executemany(
            f"INSERT INTO comment ({COMMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", chunk.comments
        )
        connection.execute("COMMIT")
    for _, ddl in indexes:
        connection.execute(ddl)
    connection.execute("ANALYZE")
    connection.close()


async def load_postgres(url: str, answers: int) -> None:
    """Fill a migrated PostgreSQL database with COPY, indexes built afterwards."""
    import asyncpg

    charter, rows = charter_rows()
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute("SET session_replication_role = replica")  # no FK triggers
        await connection.execute("SET maintenance_work_mem = '1GB'")
        indexes = await connection.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY($1) "
            "AND indexname NOT LIKE '%_pkey' AND indexdef NOT LIKE '%UNIQUE%'",
            list(INDEXED),
        )
        for index in indexes:
            await connection.execute(f'DROP INDEX "{index["indexname"]}"')
        await connection.executemany(
            "INSERT INTO service (id, code, name, owners, delay_minutes, sampling_percent, "
            "working_hours, holidays, paused) VALUES ($1, $2, $3, $4::json, 120, 100, 'any', "
            "'none', false)",
            rows["service"],
        )
        await connection.executemany(
            "INSERT INTO commitment (id, code, service_id, title, metric, threshold, "
            "min_responses, window_days, owners) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::json)",
            rows["commitment"],
        )
        await connection.executemany(
            "INSERT INTO question (id, code, commitment_id, kind, text_fr, text_en, position, "
            "active) VALUES ($1, $2, $3, $4, 'Q', 'Q', $5, true)",
            rows["question"],
        )
        await connection.executemany(
            "INSERT INTO owner_schedule (user_id, schedule) VALUES ($1, $2)", rows["owner_schedule"]
        )
        await connection.executemany(
            "INSERT INTO person (user_id, locale, deleted, is_bot, opted_out) "
            "VALUES ($1, $2, false, false, false)",
            rows["person"],
        )
        pulse_columns = [c.strip() for c in PULSE_COLUMNS.split(",")]
        for chunk in chunks(charter, answers, as_text=False):
            await connection.copy_records_to_table(
                "pulse", records=chunk.pulses, columns=pulse_columns
            )
            await connection.copy_records_to_table(
                "answer",
                records=chunk.answers,
                columns=[c.strip() for c in ANSWER_COLUMNS.split(",")],
            )
            await connection.copy_records_to_table(
                "comment",
                records=chunk.comments,
                columns=[c.strip() for c in COMMENT_COLUMNS.split(",")],
            )
        for index in indexes:
            await connection.execute(index["indexdef"])
        for table in ("service", "commitment", "question", "pulse", "answer", "comment"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


# ------------------------------------------------------------------------- measuring


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
