"""Shared fixtures: a real database per test, on SQLite and (when a server answers) PostgreSQL.

The PostgreSQL URL comes from `LADDPUNKT_TEST_PG_URL` (default
`postgresql+asyncpg://postgres@127.0.0.1:5432/test`); every test gets its own schema, dropped
afterwards.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from shared.config import DatabaseSettings
from shared.store.database import Database
from shared.store.migrate import upgrade_database

PG_URL = os.environ.get(
    "LADDPUNKT_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def _pg_reachable() -> bool:
    parsed = urlparse(PG_URL.replace("+asyncpg", ""))
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), 1):
            return True
    except OSError:
        return False


PG_AVAILABLE = _pg_reachable()
PG_SKIP_REASON = f"no PostgreSQL server answers at {PG_URL} (set LADDPUNKT_TEST_PG_URL)"


def pytest_report_header() -> str:
    return f"postgresql: {'available at ' + PG_URL if PG_AVAILABLE else PG_SKIP_REASON}"


async def _pg_execute(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def make_database_settings(kind: str, tmp_path: Path) -> tuple[DatabaseSettings, str | None]:
    """Settings for a fresh database of `kind`, and the PostgreSQL schema to drop later."""
    if kind == "sqlite":
        return DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"), None
    if not PG_AVAILABLE:
        pytest.skip(PG_SKIP_REASON)
    schema = f"t_{secrets.token_hex(6)}"
    await _pg_execute(f"CREATE SCHEMA {schema}")
    return DatabaseSettings(url=PG_URL, schema_name=schema, pool_size=4), schema


async def drop_schema(schema: str | None) -> None:
    if schema is not None:
        await _pg_execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database; parametrised over SQLite and PostgreSQL."""
    settings, schema = await make_database_settings(request.param, tmp_path)
    db = Database(settings)
    try:
        await upgrade_database(db)
        yield db
    finally:
        await db.dispose()
        await drop_schema(schema)


@pytest.fixture
async def sqlite_database(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated SQLite database only (for tests that are about something else)."""
    db = Database(DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"))
    try:
        await upgrade_database(db)
        yield db
    finally:
        await db.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


__all__ = ["PG_AVAILABLE", "asyncio", "drop_schema", "free_port", "make_database_settings"]
