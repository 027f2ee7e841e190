"""A file of a pack: its name, its bytes and the title Slack shows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PackFile:
    """One file to write to disk or upload to Slack."""

    filename: str
    content: bytes
    title: str


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Return a UTF-8 CSV (with a BOM, so spreadsheets read the accents) of `rows`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([cell_text(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def cell_text(value: object) -> str:
    """Return a value as analysts read it: empty when unknown, dot decimals, two places."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    text = str(value)
    # Free text starting like a formula would run in a spreadsheet (CSV injection).
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
