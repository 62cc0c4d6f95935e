"""Fixtures of the billing integration tests: a database on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared.config import DatabaseSettings
from tests.conftest import drop_schema, make_database_settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_settings(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[DatabaseSettings]:
    """Settings of an empty database (the node migrates it when it starts)."""
    settings, schema = await make_database_settings(request.param, tmp_path)
    try:
        yield settings
    finally:
        await drop_schema(schema)
