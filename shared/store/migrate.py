"""Schema creation and migration (Alembic), usable from code and from `csms db upgrade`.

On PostgreSQL an advisory lock serialises nodes that start at the same moment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.store.database import Database

__all__ = ["current_revision", "head_revision", "make_revision", "upgrade_database"]

_MIGRATIONS = Path(__file__).with_name("migrations")
_PG_LOCK_KEY = 7_412_335_001  # arbitrary, constant: "laddpunkt migrations"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    command.upgrade(_config(connection), revision)


async def upgrade_database(database: Database, revision: str = "head") -> None:
    """Bring the schema to `revision` (default: the newest).

    On SQLite, foreign keys are switched off while batch migrations rebuild tables (a
    rebuild drops and re-creates the table, which would cascade into child rows) and checked
    once afterwards (PITFALLS: Alembic on SQLite).
    """
    conn = await database.write_connection()
    try:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            await _sqlite_pragma(conn, "PRAGMA foreign_keys=OFF")
        async with conn.begin():
            await conn.run_sync(_upgrade, revision)
        if sqlite:
            await _sqlite_pragma(conn, "PRAGMA foreign_keys=ON")
            broken = await _sqlite_pragma(conn, "PRAGMA foreign_key_check")
            if broken:
                raise RuntimeError(f"migration left rows without their parents: {broken[:5]}")
    finally:
        await conn.close()


async def _sqlite_pragma(conn: AsyncConnection, pragma: str) -> list[Any]:
    """Run a PRAGMA outside any transaction (they are ignored inside one)."""
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    rows: list[Any] = driver.execute(pragma).fetchall()
    return rows


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(database: Database) -> str | None:
    """The revision the database is at, or None for an empty database."""
    async with database.connect() as conn:
        result: str | None = await conn.run_sync(_current)
        return result


def head_revision() -> str | None:
    """The newest revision shipped with this code."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def _revision(connection: Connection, message: str) -> None:
    command.revision(_config(connection), message=message, autogenerate=True)


async def make_revision(database: Database, message: str) -> None:
    """Autogenerate a new revision against `database` (a developer tool)."""
    async with database.begin() as conn:
        await conn.run_sync(_revision, message)
