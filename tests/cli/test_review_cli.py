"""`ecoute review` and `ecoute export answers`, run in-process against the test database."""

from __future__ import annotations

import asyncio
import csv
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from bot.cli import main
from storage.engine import open_database
from tests.domain.plan_fixtures import answered, seed

SEPTEMBER = datetime(2026, 9, 10, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> Path:
    """Point the command line at a seeded test database, in a scratch folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ECOUTE_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")
    asyncio.run(_seed(database_url))
    return tmp_path


async def _seed(url: str) -> None:
    database = open_database(url)
    try:
        seeded = await seed(database)
        people = [(f"s{i}", None) for i in range(7)]
        await answered(database, seeded, people, value=5, at=SEPTEMBER)
        later = SEPTEMBER + timedelta(days=30)
        await answered(database, seeded, [("o1", None), ("o2", None)], value=1, at=later)
    finally:
        await database.dispose()


def test_review_writes_the_document_charts_and_csv(env: Path) -> None:
    assert main(["review", "--period", "2026-Q3", "--output", "pack", "--lang", "en"]) == 0
    names = sorted(path.name for path in (env / "pack").iterdir())
    assert names == [
        "review-2026-Q3-chart-1.png",
        "review-2026-Q3-plans.csv",
        "review-2026-Q3-scores.csv",
        "review-2026-Q3-series.csv",
        "review-2026-Q3.md",
    ]
    document = (env / "pack" / "review-2026-Q3.md").read_text(encoding="utf-8")
    assert "# Commitment review 2026-Q3 — all services" in document
    with (env / "pack" / "review-2026-Q3-scores.csv").open(encoding="utf-8-sig") as handle:
        rows = {row["commitment"]: row for row in csv.DictReader(handle)}
    assert (rows["CSAT"]["score"], rows["CSAT"]["respondents"]) == ("100.00", "7")
    assert rows["NPS"]["score"] == ""
    assert main(["review", "--period", "2026-Q9"]) == 2


def test_export_drops_small_cells_in_csv_and_xlsx(env: Path) -> None:
    assert main(["export", "answers", "--format", "csv", "--period", "2026"]) == 0
    with (env / "ecoute-answers-2026.csv").open(encoding="utf-8-sig") as handle:
        answers = list(csv.DictReader(handle))
    with (env / "ecoute-answers-2026-cells.csv").open(encoding="utf-8-sig") as handle:
        cells = list(csv.DictReader(handle))
    assert len(answers) == 7  # October's two answers form a cell too small to keep
    assert {row["day"] for row in answers} == {"2026-09-10"}
    assert [(c["commitment"], c["month"], c["respondents"]) for c in cells] == [
        ("CSAT", "2026-09", "7")
    ]
    assert main(["export", "answers", "--format", "xlsx", "--output", "all.xlsx"]) == 0
    book = load_workbook(env / "all.xlsx", read_only=True)
    assert book.sheetnames == ["answers", "cells", "comments", "about"]
    rows = list(book["answers"].iter_rows(values_only=True))
    assert len(rows) == 1 + 7
    keys = {row[0] for row in rows[1:]}
    assert keys.isdisjoint({row["respondent"] for row in answers})  # a new key per export
    book.close()
