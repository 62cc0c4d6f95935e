"""Fixtures of the command tests: a node on SQLite and on PostgreSQL, with short timers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cli.node import Node
from shared.config import DatabaseSettings, Settings
from tests.conftest import drop_schema, make_database_settings
from tests.harness import node_settings, running_node

#: Short timers: a lost notification is picked up by the next poll within 0.2 s.
TIMERS = {"command_poll_seconds": 0.2, "heartbeat_seconds": 0.5}


def settings_for(
    database: DatabaseSettings, node_id: str = "test-node", **ocpp: object
) -> Settings:
    return node_settings(
        database, ocpp={"call_timeout": 5.0, **ocpp}, node={"id": node_id, **TIMERS}
    )


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


@pytest.fixture
async def node(db_settings: DatabaseSettings) -> AsyncIterator[Node]:
    async with running_node(settings_for(db_settings)) as running:
        yield running
