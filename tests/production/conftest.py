"""Production scenarios: real processes on PostgreSQL; the outage scenario runs last."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import POSTGRES_URL, _truncate

LAST = "runs_last"


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker of scenarios that disturb shared services (PostgreSQL itself)."""
    config.addinivalue_line("markers", f"{LAST}: stops a shared service; ordered after all tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Move the disturbing scenarios to the end; without PostgreSQL, leave out those needing it."""
    if not POSTGRES_URL:
        # `run.py test --sqlite-only` on a machine without PostgreSQL; CI always sets the URL.
        needing = [
            item
            for item in items
            if item.get_closest_marker("postgres") and "tests/production/" in item.nodeid
        ]
        if needing:
            config.hook.pytest_deselected(items=needing)
            items[:] = [i for i in items if i not in needing]
    items.sort(key=lambda item: item.get_closest_marker(LAST) is not None)


@pytest.fixture
def pg_url(postgres_database: str) -> str:
    """Return the session's PostgreSQL database, emptied."""
    asyncio.run(_truncate(postgres_database))
    return postgres_database
