"""Synthetic data for the digest benchmark: a big charter and millions of answers, bulk loaded.

500 commitments (the five metrics in turn, windows of 14 to 90 days) across 50 services, 2,000
owners, 200,000 respondents, answers spread evenly over 24 months, two answers per answered pulse,
one unanswered pulse per four answered, a comment on one pulse in fifty; sqlite3 executemany in
large transactions or PostgreSQL COPY, indexes built afterwards, then ANALYZE (and VACUUM).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

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
