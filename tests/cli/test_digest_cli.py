"""`ecoute digest run` and `ecoute stats`, run in-process against the test database."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import col

from bot.cli import main
from storage.engine import open_database
from storage.tables import Pulse
from storage.types import utcnow
from tests.domain.score_fixtures import (
    AnswerRow,
    CommitmentSpec,
    PulseRow,
    add_pulses,
    seed_charter,
)

CHARTER = (
    CommitmentSpec("CSAT", "csat", 80.0, ("rating_5",), owners=("UOWNER1",)),
    CommitmentSpec("NPS", "nps", 0.0, ("nps_10",), owners=("UOWNER2",)),
)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> str:
    """Point the command line at a seeded test database, away from any `.env` and Slack."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ECOUTE_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    asyncio.run(_seed(database_url))
    return database_url


async def _seed(url: str) -> None:
    database = open_database(url)
    try:
        seeded = await seed_charter(database, CHARTER)
        at = utcnow() - timedelta(days=10)  # before the current Monday period starts
        rows = [PulseRow(0, f"r{i}", "answered", at, (AnswerRow(0, 2, at),)) for i in range(8)]
        rows += [PulseRow(0, f"f{i}", "failed", None) for i in range(3)]
        rows += [PulseRow(1, f"p{i}", "pending", None) for i in range(2)]
        await add_pulses(database, seeded, rows)
        async with database.begin() as session:
            await session.exec(
                update(Pulse)
                .where(col(Pulse.status) == "failed")
                .values(reason="slack error invalid_blocks")
            )
    finally:
        await database.dispose()


def test_dry_run_prints_the_digests_and_needs_no_slack(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["digest", "run", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "UOWNER1" in out
    assert "[objectif manqué] Engagement CSAT (CSAT)" in out
    assert "8 répondants sur 30 jours" in out
    assert "rien à signaler" in out  # UOWNER2's NPS has no answers
    assert "3 dry_run" in out  # with the service owner


def test_sending_needs_the_slack_token(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", "run", "--owner", "UOWNER1"]) == 2
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err


def test_an_unknown_owner_is_reported(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", "run", "--dry-run", "--owner", "UNOBODY"]) == 1
    assert "not_an_owner" in capsys.readouterr().out


def test_stats_shows_pulses_and_scores(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "Sollicitations par statut" in out
    assert "slack error invalid_blocks (3)" in out
    for status in ("pending", "sending", "sent", "answered", "expired", "undeliverable"):
        assert status in out
    assert "CSAT · Engagement CSAT" in out
    assert "objectif manqué" in out
    assert "8/3" in out
