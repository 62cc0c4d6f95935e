"""Fixtures for the operator API and CLI tests: a node on free ports over SQLite and
PostgreSQL, and `csms …` run with click's CliRunner while the node keeps serving."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cli.node import Node
from shared.config import DatabaseSettings
from tests.conftest import drop_schema, make_database_settings
from tests.harness import node_settings, running_node
from tests.integration.cli.helpers import ADMIN_TOKEN, CliRun, cli_env


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
    """A running node that wants the admin token."""
    settings = node_settings(db_settings, http={"admin_token": ADMIN_TOKEN})
    async with running_node(settings) as running:
        yield running


@pytest.fixture
def run_cli(db_settings: DatabaseSettings) -> CliRun:
    """`await run_cli("stations", "list", …)` with the test database in the environment."""
    return CliRun(cli_env(db_settings))
