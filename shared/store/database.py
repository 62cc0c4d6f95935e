"""Engine creation for SQLite (embedded default) and PostgreSQL (multi-node).

SQLite runs in WAL mode with a busy timeout and foreign keys on; PostgreSQL gets a pool.
`Database` owns the engine: call `await database.dispose()` at shutdown (PITFALLS: aiosqlite
can hang the process at exit when an engine is left open).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from shared.config import DatabaseSettings
from shared.store.sqlite_inline import INLINE_DRIVER

__all__ = ["WRITE_OPTION", "Database", "create_engine"]

WRITE_OPTION = "laddpunkt_write"


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    """An async engine for `settings.url`, tuned for its dialect."""
    url = settings.url
    if settings.is_sqlite:
        _prepare_sqlite_file(url)
        # Same file, but statements run inline and only write COMMITs go to a thread
        # (shared/store/sqlite_inline.py explains why).
        inline_url = make_url(url).set(drivername=f"sqlite+{INLINE_DRIVER}")
        engine = create_async_engine(
            inline_url,
            echo=settings.echo,
            poolclass=AsyncAdaptedQueuePool,
            pool_size=5,
            max_overflow=10,
            connect_args={
                "timeout": settings.busy_timeout_ms / 1000,
                "check_same_thread": False,
            },
        )
        busy_timeout = settings.busy_timeout_ms
        synchronous = settings.sqlite_synchronous

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout)}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
            # Let SQLAlchemy's "begin" event decide how transactions start (below).
            dbapi_connection.isolation_level = None

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A write transaction takes the write lock up front: a deferred transaction that
            # reads first and writes later can fail with SQLITE_BUSY without waiting.
            # Straight on the sqlite3 connection (the inline driver runs on this thread):
            # through exec_driver_sql a BEGIN costs a whole SQLAlchemy execution (~40 µs).
            write = conn.get_execution_options().get(WRITE_OPTION)
            conn.connection.driver_connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    connect_args: dict[str, Any] = {}
    if settings.schema_name:
        connect_args["server_settings"] = {"search_path": settings.schema_name}
    return create_async_engine(
        url,
        echo=settings.echo,
        connect_args=connect_args,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        pool_pre_ping=True,
    )


class Database:
    """The engine plus what every repository needs to know about the dialect."""

    def __init__(self, settings: DatabaseSettings) -> None:
        self.settings = settings
        self.engine = create_engine(settings)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def connect(self) -> Any:
        """`async with database.connect() as conn:` — a connection without a transaction."""
        return self.engine.connect()

    def begin(self) -> Any:
        """`async with database.begin() as conn:` — a connection in a write transaction."""
        return self.engine.execution_options(**{WRITE_OPTION: True}).begin()

    async def write_connection(self) -> AsyncConnection:
        """A connection whose transactions take the write lock (SQLite) — for the writer,
        which keeps it open and closes it itself."""
        conn = await self.engine.connect()
        return await conn.execution_options(**{WRITE_OPTION: True})

    def read(self) -> Any:
        """`async with database.read() as conn:` — a read-only transaction (no write lock)."""
        return self.engine.begin()

    async def dispose(self) -> None:
        await self.engine.dispose()


async def sqlite_checkpoint(conn: AsyncConnection) -> None:
    """Fold the WAL back into the main file (used at clean shutdown)."""
    await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
