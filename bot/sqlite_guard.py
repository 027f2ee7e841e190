"""Refuse a second server on the same SQLite file: SQLite mode is one process."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url


class AlreadyServing(Exception):
    """Another process serves this SQLite database; the message is one line saying so."""


def lock_path_for(database_url: str) -> Path | None:
    """Return the lock file beside a SQLite database file, None for PostgreSQL or in-memory."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        return None
    path = Path(database.removeprefix("file:").split("?", 1)[0]).resolve()
    return path.with_name(f"{path.name}.serve-lock")


@contextmanager
def single_process(database_url: str) -> Iterator[Path | None]:
    """Hold an exclusive lock beside the SQLite file while serving, or raise AlreadyServing.

    flock, not a lease row: the kernel drops the lock when the holder dies, even by SIGKILL,
    so a crashed server never blocks its own restart.
    """
    lock_path = lock_path_for(database_url)
    if lock_path is None:
        yield None
        return
    descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode(errors="replace").strip() or "?"
            raise AlreadyServing(
                f"another `ecoute serve` (pid {holder}) already uses {lock_path.with_suffix('')}: "
                "SQLite allows one process; use PostgreSQL to run several instances"
            ) from None
        # The file is left in place on exit: unlinking it would let a third process lock a
        # fresh file while a second still waits on the old one.
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield lock_path
    finally:
        os.close(descriptor)
