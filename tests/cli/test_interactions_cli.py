"""`ecoute interactions import FILE.csv`, run in-process against the test database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from bot.cli import main
from storage.engine import open_database
from storage.tables import Interaction, Pulse, Service

HEADER = "external_id,source,service,slack_user_id,email,occurred_at,reference,summary,send_after"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> str:
    """Point the command line at the test database, with no Slack settings at all."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ECOUTE_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "200")
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    asyncio.run(_add_service(database_url, "RH"))
    return database_url


async def _add_service(url: str, code: str) -> None:
    database = open_database(url)
    try:
        async with database.begin() as session:
            session.add(Service(code=code, name=code))
    finally:
        await database.dispose()


def stored(url: str) -> tuple[int, int, list[tuple[str, str, str | None]]]:
    async def fetch() -> tuple[int, int, list[tuple[str, str, str | None]]]:
        database = open_database(url)
        try:
            async with database.engine.connect() as connection:
                interactions = await connection.scalar(
                    select(func.count()).select_from(Interaction)
                )
                pulses = await connection.scalar(select(func.count()).select_from(Pulse))
                emails = (
                    await connection.execute(
                        select(
                            col(Interaction.source),
                            col(Interaction.external_id),
                            col(Pulse.recipient_email),
                        )
                        .join(Pulse, col(Pulse.interaction_id) == col(Interaction.id))
                        .order_by(col(Interaction.id))
                    )
                ).all()
        finally:
            await database.dispose()
        return interactions or 0, pulses or 0, [(a, b, c) for a, b, c in emails]

    return asyncio.run(fetch())


def write(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "interactions.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


GOOD = [
    "T1,glpi,RH,U0123ABCD,,2025-03-01T09:30:00+01:00,INC-1,Badge,",
    "T2,,RH,,Jeanne.Martin@Example.FR,2025-03-01T10:00:00Z,,,2025-03-03T09:00:00+01:00",
    'T3,glpi,RH,U0123ABCD,,2025-03-01T11:00:00Z,,"Poste, écran et clavier",',
]


def test_import_accepts_rows_and_a_second_import_only_finds_duplicates(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, *GOOD)

    assert main(["interactions", "import", str(path)]) == 0
    assert _count(capsys.readouterr().out, "accepted") == 3
    interactions, pulses, rows = stored(env)
    assert (interactions, pulses) == (3, 3)
    assert rows[1] == ("api", "T2", "jeanne.martin@example.fr")

    assert main(["interactions", "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert _count(out, "accepted") == 0
    assert _count(out, "duplicate") == 3
    assert stored(env)[:2] == (3, 3)


def test_refused_rows_are_listed_by_line_and_the_rest_is_imported(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        GOOD[0],
        "T4,glpi,XX,U0123ABCD,,2025-03-01T09:30:00Z,,,",
        "T5,glpi,RH,U0123ABCD,a@b.fr,2025-03-01T09:30:00Z,,,",
        "T6,glpi,RH,U0123ABCD,,2025-03-01,,,",
        "T7,GLPI,RH,U0123ABCD,,2025-03-01T09:30:00Z,,,",
        "T8,glpi,RH,U0123ABCD,,2025-03-01T09:30:00Z,,,,extra",
        GOOD[0],
        GOOD[0].replace("Badge", "Autre"),
        GOOD[2],
    )

    assert main(["interactions", "import", str(path)]) == 1
    out = capsys.readouterr().out
    assert (_count(out, "accepted"), _count(out, "duplicate"), _count(out, "refused")) == (2, 1, 6)
    assert "line 3: service: unknown service 'XX'" in out
    assert "line 4: slack_user_id/email: give exactly one of slack_user_id or email" in out
    assert "line 5: occurred_at: must be an RFC 3339 date-time" in out
    assert "line 6: source: " in out
    assert "line 7: more cells than columns" in out
    assert "line 9: (glpi, T1) was already received with a different payload" in out
    assert stored(env)[:2] == (2, 2)


def test_source_option_fills_empty_source_cells(env: str, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD[1])
    assert main(["interactions", "import", str(path), "--source", "ticketing"]) == 0
    assert stored(env)[2] == [("ticketing", "T2", "jeanne.martin@example.fr")]


def test_a_file_with_fewer_columns_is_fine(env: str, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "T1,RH,U0123ABCD,2025-03-01T09:30:00Z",
        header="external_id,service,slack_user_id,occurred_at",
    )
    assert main(["interactions", "import", str(path)]) == 0
    assert stored(env)[:2] == (1, 1)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (HEADER + ",colour", "unknown columns: colour"),
        ("external_id,service,slack_user_id", "missing columns: occurred_at"),
        ("external_id,service,occurred_at", "missing columns: slack_user_id or email"),
        ("", "no header"),
    ],
)
def test_a_bad_header_refuses_the_file(
    env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], header: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(header + ("\n" if header else ""), encoding="utf-8")
    assert main(["interactions", "import", str(path)]) == 2
    assert message in capsys.readouterr().err
    assert stored(env)[:2] == (0, 0)


def test_a_missing_file_is_a_clear_error(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["interactions", "import", "nowhere.csv"]) == 2
    assert "cannot read nowhere.csv" in capsys.readouterr().err


def test_an_unreachable_database_stops_the_import(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ECOUTE_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:1/none")
    path = write(tmp_path, *GOOD)
    assert main(["interactions", "import", str(path)]) == 2
    assert "ecoute:" in capsys.readouterr().err


def _count(out: str, label: str) -> int:
    for line in out.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == label:
            return int(words[1])
    raise AssertionError(f"no {label} count in {out!r}")
