"""`ecoute charter load|show|export`, run in-process against the test database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import main
from domain.charter import parse_charter
from storage.engine import open_database
from storage.tables import Answer, Commitment, Interaction, Pulse, Question

EXAMPLE = Path(__file__).parents[2] / "examples" / "charter-bercy.yaml"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> str:
    """Point the command line at the test database, away from any `.env`."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ECOUTE_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return database_url


def threshold_of(url: str, code: str) -> float | None:
    async def fetch() -> float | None:
        database = open_database(url)
        try:
            async with database.begin() as session:
                row = (
                    await session.exec(select(Commitment).where(Commitment.code == code))
                ).one_or_none()
                return None if row is None else row.threshold
        finally:
            await database.dispose()

    return asyncio.run(fetch())


async def answer_once(url: str, *, question_code: str) -> None:
    """Store one answer to `question_code`, with the interaction and pulse it needs."""
    database = open_database(url)
    now = datetime.now(UTC)
    try:
        async with database.begin() as session:
            question = (
                await session.exec(select(Question).where(Question.code == question_code))
            ).one()
            interaction = Interaction(
                source="glpi",
                external_id="T-1",
                payload_hash="0" * 64,
                service_id=1,
                occurred_at=now,
                received_at=now,
            )
            session.add(interaction)
            await session.flush()
            pulse = Pulse(interaction_id=interaction.id or 0, service_id=1, due_at=now)
            session.add(pulse)
            await session.flush()
            session.add(
                Answer(
                    pulse_id=pulse.id or 0,
                    question_id=question.id or 0,
                    commitment_id=question.commitment_id,
                    respondent="p" * 64,
                    value=9,
                    answered_at=now,
                )
            )
    finally:
        await database.dispose()


def test_load_prints_the_report_then_nothing_to_change(
    env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["charter", "load", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "Charter loaded" in out
    assert "created service RH (Ressources humaines)" in out
    assert "created digest schedule of U0SGQUAL (mon,thu 09:00)" in out

    assert main(["charter", "load", str(EXAMPLE)]) == 0
    assert "Nothing to change" in capsys.readouterr().out
    assert threshold_of(env, "SI-03") == 20


def test_an_invalid_file_lists_every_error_and_writes_nothing(
    env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["charter", "load", str(EXAMPLE)]) == 0
    capsys.readouterr()
    broken = EXAMPLE.read_text(encoding="utf-8")
    broken = broken.replace("metric: nps\n    threshold: 20", "metric: nps\n    threshold: 30")
    broken = broken.replace(
        "min_responses: 10\n    window_days: 90", "min_responses: 2\n    window_days: 90", 1
    )
    broken = broken.replace("    holidays: FR\n", "    holidays: DE\n", 1)
    path = tmp_path / "broken.yaml"
    path.write_text(broken, encoding="utf-8")

    assert main(["charter", "load", str(path)]) == 1

    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert errors[0].startswith(f"{path}:")
    assert "services[0].holidays" in errors[0]
    assert "commitments[2].min_responses: must be at least 5" in errors[1]
    assert errors[-1] == f"{path}: not loaded: 2 error(s)"
    assert captured.out == ""
    assert threshold_of(env, "SI-03") == 20


def test_an_invalid_file_leaves_an_empty_database_empty(
    env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nservices: [\n", encoding="utf-8")

    assert main(["charter", "load", str(path)]) == 1

    assert capsys.readouterr().err.startswith(f"{path}:3: yaml: ")
    assert threshold_of(env, "SG-01") is None


def test_a_change_refused_while_applying_rolls_everything_back(
    env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["charter", "load", str(EXAMPLE)]) == 0
    asyncio.run(answer_once(env, question_code="SI-03-Q1"))
    changed = (
        EXAMPLE.read_text(encoding="utf-8")
        .replace("metric: nps\n    threshold: 20", "metric: csat\n    threshold: 80")
        .replace(
            "      - kind: nps_10\n        text:\n          fr: \"Recommanderiez-vous l'a",
            "      - kind: rating_5\n        text:\n          fr: \"Recommanderiez-vous l'a",
        )
        .replace("threshold: 85", "threshold: 95")
    )
    path = tmp_path / "changed.yaml"
    path.write_text(changed, encoding="utf-8")
    capsys.readouterr()

    assert main(["charter", "load", str(path)]) == 1

    err = capsys.readouterr().err
    assert "question SI-03-Q1: already has answers, so its kind cannot change" in err
    assert threshold_of(env, "SG-01") == 85
    assert threshold_of(env, "SI-03") == 20


def test_dry_run_reports_without_writing(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["charter", "load", "--dry-run", str(EXAMPLE)]) == 0

    out = capsys.readouterr().out
    assert "dry run: nothing written" in out
    assert "created commitment SG-01" in out
    assert threshold_of(env, "SG-01") is None


def test_show_prints_services_and_commitments(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["charter", "load", str(EXAMPLE)]) == 0
    capsys.readouterr()

    assert main(["charter", "show"]) == 0

    out = capsys.readouterr().out
    assert "Services (5)" in out
    assert "Ressources humaines" in out
    assert "SG-01" in out
    assert "common" in out
    assert "SI-03-Q1" in out
    assert "Recommanderiez-vous l'assistance informatique" in out
    assert "nps >= 20" in out
    assert "U0SGQUAL" in out
    assert "mon,thu 09:00" in out


def test_export_writes_the_charter_that_was_loaded(
    env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["charter", "load", str(EXAMPLE)]) == 0
    capsys.readouterr()

    assert main(["charter", "export"]) == 0
    printed = capsys.readouterr().out
    target = tmp_path / "out.yaml"
    assert main(["charter", "export", "--output", str(target)]) == 0

    assert f"Charter written to {target}." in capsys.readouterr().out
    assert target.read_text(encoding="utf-8") == printed
    exported = parse_charter(printed)
    example = parse_charter(EXAMPLE.read_text(encoding="utf-8"))
    assert exported.commitments == example.commitments
    assert exported.schedules() == example.schedules()
    assert "Ressources humaines" in printed  # UTF-8 kept as is
    assert main(["charter", "load", str(target)]) == 0
    assert "Nothing to change" in capsys.readouterr().out


def test_a_missing_file_is_a_usage_error(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["charter", "load", "nowhere.yaml"]) == 2
    assert "cannot read nowhere.yaml" in capsys.readouterr().err


def test_load_migrates_a_new_sqlite_file_but_show_insists_on_a_current_schema(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("ECOUTE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    assert main(["charter", "show"]) == 2
    assert "ecoute db upgrade" in capsys.readouterr().err

    monkeypatch.setenv("ECOUTE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    assert main(["charter", "load", str(EXAMPLE)]) == 0
    assert main(["charter", "show"]) == 0
    assert "Services (5)" in capsys.readouterr().out
