"""The engine and session factory, with the SQLite settings a durable one-writer store needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel.ext.asyncio.session import AsyncSession


class DatabaseUnavailable(Exception):
    """The database cannot be reached right now; callers answer 503 and retry later."""


@dataclass(frozen=True)
class Database:
    """One engine and its session factory, opened once per process."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @property
    def is_sqlite(self) -> bool:
        """Tell whether this is SQLite (one process, one writer)."""
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        """Open one unit of work that commits on success, mapping outages to DatabaseUnavailable."""
        try:
            async with self.sessions.begin() as session:
                yield session
        except (OperationalError, DBAPIError, OSError, ConnectionError) as exc:
            if is_outage(exc):
                raise DatabaseUnavailable(str(exc).splitlines()[0]) from exc
            raise

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def is_outage(exc: BaseException) -> bool:
    """Tell an unreachable or locked database apart from a bug in a statement."""
    if isinstance(exc, (OSError, ConnectionError)):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError):
        return True
    text = str(exc).lower()
    markers = ("connection", "could not connect", "server closed", "terminating", "shutting down")
    return isinstance(exc, DBAPIError) and any(marker in text for marker in markers)


def open_database(url: str, *, echo: bool = False) -> Database:
    """Create the engine for `url` (sqlite+aiosqlite or postgresql+asyncpg)."""
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 5}
    else:
        kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10, pool_timeout=5)
        kwargs["connect_args"] = {"timeout": 5, "command_timeout": 30}
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    return Database(engine=engine, sessions=sessions)


def _configure_sqlite(engine: AsyncEngine) -> None:
    # pysqlite's own transaction handling would start deferred transactions that fail with
    # SQLITE_BUSY on upgrade; we take the write lock up front with BEGIN IMMEDIATE instead
    # (the recipe in SQLAlchemy's SQLite dialect documentation).
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "busy_timeout=5000",
            "foreign_keys=ON",
            "synchronous=FULL",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
