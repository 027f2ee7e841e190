"""SQLite mode is one process: a second server on the same file is refused, a dead one is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sqlite_guard import AlreadyServing, lock_path_for, single_process


def test_the_lock_file_sits_beside_the_database(tmp_path: Path) -> None:
    assert lock_path_for(f"sqlite+aiosqlite:///{tmp_path}/e.db") == tmp_path / "e.db.serve-lock"
    assert lock_path_for("sqlite+aiosqlite://") is None
    assert lock_path_for("sqlite+aiosqlite:///:memory:") is None
    assert lock_path_for("postgresql+asyncpg://u@h/db") is None


def test_a_second_holder_is_refused_until_the_first_lets_go(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/e.db"
    with single_process(url):
        with pytest.raises(AlreadyServing) as refused, single_process(url):
            pass
        message = str(refused.value)
        assert message.startswith("another `ecoute serve` (pid ")
        assert f"already uses {tmp_path}/e.db: SQLite allows one process" in message
        assert "\n" not in message
    with single_process(url) as held:
        assert held == tmp_path / "e.db.serve-lock"


def test_postgresql_needs_no_lock() -> None:
    with single_process("postgresql+asyncpg://u@h/db") as held:
        assert held is None
