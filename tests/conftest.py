"""Shared fixtures: real database files (SQLite) and a real PostgreSQL when one is configured."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (the metadata lists every table)
from bot.config import Settings, load_settings
from storage.engine import Database, open_database
from storage.migrate import upgrade

POSTGRES_URL = os.environ.get("ECOUTE_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]

TEST_SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-test-token",
    "SLACK_SIGNING_SECRET": "test-signing-secret",
    "ECOUTE_INTAKE_SECRETS": "whsec_dGVzdC1pbnRha2Utc2VjcmV0LTEyMzQ1Njc4OTA=",
    "ECOUTE_PSEUDONYM_KEY": "test-pseudonym-key",
}


async def _migrate(url: str) -> None:
    database = open_database(url)
    try:
        await upgrade(database)
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a migrated SQLite file that each test copies (migrating once is faster)."""
    path = tmp_path_factory.mktemp("template") / "ecoute.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """Create one migrated PostgreSQL database for the session and drop it afterwards."""
    name = f"ecoute_test_{uuid.uuid4().hex[:8]}"
    admin_url = POSTGRES_URL

    async def create() -> None:
        engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        await engine.dispose()
        await _migrate(_with_database(admin_url, name))

    async def drop() -> None:
        engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await engine.dispose()

    asyncio.run(create())
    yield _with_database(admin_url, name)
    asyncio.run(drop())


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run database tests on every configured backend, or on those a `backends` mark names."""
    if "database_url" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("backends")
    wanted = marker.args if marker else ("sqlite", "postgres")
    metafunc.parametrize("database_url", [b for b in wanted if b in BACKENDS], indirect=True)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return a fresh, migrated database URL: a new SQLite file, or an emptied PostgreSQL."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "ecoute.db"
        shutil.copyfile(template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    asyncio.run(_truncate(url))
    return url


async def _truncate(url: str) -> None:
    engine = create_async_engine(url)
    names = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """Open the test database for one test."""
    db = open_database(database_url)
    yield db
    await db.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Return settings for tests, built without reading the environment."""
    return load_settings(None, ECOUTE_DATABASE_URL=database_url, **TEST_SECRETS)
