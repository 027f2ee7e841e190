"""Write an analysts' export: CSV files beside each other, or one workbook with a sheet each."""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.reports.files import cell_text
from domain.exports import AnswerLine, ExportPlan

ANSWER_COLUMNS = ("respondent", "service", "commitment", "question", "kind", "value", "day")
CELL_COLUMNS = (
    "service",
    "commitment",
    "metric",
    "month",
    "respondents",
    "answers",
    "score",
    "ci_low",
    "ci_high",
    "threshold",
)
COMMENT_COLUMNS = ("service", "commitment", "month", "comment")
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Written:
    """What an export wrote: the files and how many answers they hold."""

    paths: tuple[Path, ...]
    answers: int


def _cells(plan: ExportPlan) -> list[list[object]]:
    return [
        [
            c.service,
            c.commitment,
            c.metric,
            c.month,
            c.respondents,
            c.answers,
            c.score,
            c.low,
            c.high,
            c.threshold,
        ]
        for c in plan.cells
    ]


def _comments(plan: ExportPlan) -> list[list[object]]:
    return [[c.service, c.commitment, c.month, c.text] for c in plan.comments]


def _answer(line: AnswerLine) -> list[object]:
    return [
        line.respondent,
        line.service,
        line.commitment,
        line.question,
        line.kind,
        line.value,
        line.day.isoformat(),
    ]


async def write_export(
    plan: ExportPlan,
    lines: AsyncIterator[AnswerLine],
    *,
    fmt: str,
    output: Path,
    about: Sequence[str],
) -> Written:
    """Write the export to `output` (and, for CSV, its `-cells` and `-comments` siblings)."""
    if fmt == "xlsx":
        return await _xlsx(plan, lines, output, about)
    siblings = [output.with_name(f"{output.stem}-{name}.csv") for name in ("cells", "comments")]
    count = 0
    with output.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(ANSWER_COLUMNS)
        async for line in lines:
            writer.writerow([cell_text(v) for v in _answer(line)])
            count += 1
    for path, header, rows in (
        (siblings[0], CELL_COLUMNS, _cells(plan)),
        (siblings[1], COMMENT_COLUMNS, _comments(plan)),
    ):
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows([cell_text(v) for v in row] for row in rows)
    return Written((output, *siblings), count)


def _xlsx_value(value: object) -> Any:
    # Numbers stay numbers; text that looks like a formula is neutralised as in the CSV.
    if value is None or isinstance(value, int | float):
        return value
    return cell_text(value)


async def _xlsx(
    plan: ExportPlan, lines: AsyncIterator[AnswerLine], output: Path, about: Sequence[str]
) -> Written:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    # write_only streams rows to disk: millions of answers need not fit in memory.
    book = Workbook(write_only=True)
    answers = book.create_sheet("answers")
    answers.append(list(ANSWER_COLUMNS))
    count = 0
    async for line in lines:
        answers.append([_xlsx_value(v) for v in _answer(line)])
        count += 1
    for title, header, rows in (
        ("cells", CELL_COLUMNS, _cells(plan)),
        ("comments", COMMENT_COLUMNS, _comments(plan)),
    ):
        sheet = book.create_sheet(title)
        sheet.append(list(header))
        for row in rows:
            sheet.append([_xlsx_value(v) for v in row])
    notes = book.create_sheet("about")
    for text in about:
        notes.append([_xlsx_value(text)])
    book.save(output)
    return Written((output,), count)
