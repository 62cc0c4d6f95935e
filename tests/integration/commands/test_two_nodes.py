"""Two nodes on one PostgreSQL schema: commands routed to the node holding the station,
lost notifications recovered, events relayed, a stopped node's stations and commands."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from cli.node import Node
from shared.config import DatabaseSettings
from shared.domain.commands import ClearCache, CommandRecord, CommandStatus, Reset
from shared.events import CommandFinished, ConnectorStatusChanged, StationConnected
from shared.store.commands import insert_command
from shared.store.uow import UnitOfWork
from tests.conftest import PG_URL, drop_schema, make_database_settings
from tests.harness import running_node
from tests.integration.commands.charger import connected_charger
from tests.integration.commands.conftest import settings_for

pytestmark = pytest.mark.postgres


@pytest.fixture
async def pg_settings(tmp_path: Path) -> AsyncIterator[DatabaseSettings]:
    settings, schema = await make_database_settings("postgres", tmp_path)
    try:
        yield settings
    finally:
        await drop_schema(schema)


@contextlib.asynccontextmanager
async def two_nodes(settings: DatabaseSettings, **ocpp: object) -> AsyncIterator[tuple[Node, Node]]:
    async with (
        running_node(settings_for(settings, "node-a", **ocpp)) as a,
        running_node(settings_for(settings, "node-b", **ocpp)) as b,
    ):
        yield a, b


async def eventually(check: Callable[[], bool], what: str) -> None:
    for _ in range(250):
        if check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never: {what}")


def collect(node: Node, event_type: type[Any]) -> list[Any]:
    seen: list[Any] = []
    node.bus.subscribe(event_type, seen.append)
    return seen


def drop_run_notifications(node: Node) -> list[str]:
    """Fault injection: the node's "run" notifications are lost (the rows are stored)."""
    dropped: list[str] = []
    notify = node.commands._notify

    async def lossy(uow: UnitOfWork, op: str, command_id: str, target: str) -> None:
        if op == "run":
            dropped.append(command_id)
            return
        await notify(uow, op, command_id, target)

    node.commands._notify = lossy  # type: ignore[method-assign]
    return dropped


async def test_a_command_issued_on_b_runs_on_a(pg_settings: DatabaseSettings) -> None:
    async with two_nodes(pg_settings) as (a, b):
        finished_on_b = collect(b, CommandFinished)
        async with connected_charger(a.ocpp_port, "CP-A", "2.0.1") as charger:
            record = await b.commands.execute("CP-A", Reset(hard=True), "cli")
        assert record.status is CommandStatus.ACCEPTED
        assert (record.origin_node, record.target_node) == ("node-b", "node-a")
        assert [call.action for call in charger.received] == ["Reset"]
        # A published CommandFinished; the relay brought it to B's subscribers.
        await eventually(
            lambda: any(e.command_id == record.id for e in finished_on_b), "relayed result"
        )


async def test_a_lost_notification_only_delays_the_command(pg_settings: DatabaseSettings) -> None:
    async with two_nodes(pg_settings) as (a, b):
        dropped = drop_run_notifications(b)
        async with connected_charger(a.ocpp_port, "CP-LOST", "1.6"):
            record = await b.commands.execute("CP-LOST", ClearCache(), "cli")
    assert dropped == [record.id]
    assert record.status is CommandStatus.ACCEPTED  # A's poll claimed it
    assert record.target_node == "node-a"


async def test_the_listener_reconnects_and_claims_what_it_missed(
    pg_settings: DatabaseSettings,
) -> None:
    # A poll that never comes during the test: only the reconnect can pick the row up.
    slow_poll = settings_for(pg_settings, "node-a")
    slow_poll = slow_poll.model_copy(
        update={"node": slow_poll.node.model_copy(update={"command_poll_seconds": 300})}
    )
    async with running_node(slow_poll) as a, running_node(settings_for(pg_settings, "node-b")) as b:
        listener = a.cluster.listener
        assert listener is not None
        dropped = drop_run_notifications(b)
        async with connected_charger(a.ocpp_port, "CP-RE", "1.6"):
            submitted = await b.commands.submit("CP-RE", ClearCache(), "cli")
            assert submitted.status is CommandStatus.PENDING
            before = listener.connections
            server = await asyncpg.connect(PG_URL.replace("postgresql+asyncpg", "postgresql"))
            try:
                await server.execute("SELECT pg_terminate_backend($1)", listener.backend_pid)
            finally:
                await server.close()
            record = await b.commands.wait(submitted.id, 20)
        assert dropped == [submitted.id]
        assert listener.connections > before
        assert record is not None
        assert record.status is CommandStatus.ACCEPTED


async def test_events_reach_every_node_once(pg_settings: DatabaseSettings) -> None:
    async with two_nodes(pg_settings) as (a, b):
        connected_on_a, connected_on_b = collect(a, StationConnected), collect(b, StationConnected)
        status_on_b = collect(b, ConnectorStatusChanged)
        async with connected_charger(a.ocpp_port, "CP-EV", "1.6") as charger:
            answer = await charger.call(
                "StatusNotification",
                {"connectorId": 1, "errorCode": "NoError", "status": "Available"},
            )
            assert answer[0] == 3
            await eventually(lambda: bool(status_on_b), "status relayed to B")
        await eventually(lambda: bool(connected_on_b), "connection relayed to B")
        assert [(e.station_id, e.node_id) for e in connected_on_b] == [("CP-EV", "node-a")]
        assert [(e.station_id, e.evse_id, e.status) for e in status_on_b] == [
            ("CP-EV", 1, "Available")
        ]
        await asyncio.sleep(0.1)  # let any echo arrive: A must not see its own event twice
        assert len(connected_on_a) == 1


async def test_the_newest_connection_wins_across_nodes(pg_settings: DatabaseSettings) -> None:
    async with two_nodes(pg_settings) as (a, b):
        async with (
            connected_charger(a.ocpp_port, "CP-MOVE", "1.6") as old,
            connected_charger(b.ocpp_port, "CP-MOVE", "1.6") as new,
        ):
            record = await a.commands.execute("CP-MOVE", ClearCache(), "cli")
        assert (record.status, record.target_node) == (CommandStatus.ACCEPTED, "node-b")
        assert [call.action for call in new.received] == ["ClearCache"]
        assert old.received == []


async def test_a_station_of_a_stopped_node_fails_at_once(pg_settings: DatabaseSettings) -> None:
    async with two_nodes(pg_settings) as (a, b):
        async with connected_charger(a.ocpp_port, "CP-DEAD", "1.6"):
            await a.cluster.registry.aclose()  # A stops beating: its row is gone
            record = await b.commands.submit("CP-DEAD", ClearCache(), "cli")
    assert record.status is CommandStatus.FAILED
    assert record.error == "station CP-DEAD is not connected (its node node-a stopped)"


async def test_what_a_stopped_node_left_unfinished_is_failed(
    pg_settings: DatabaseSettings,
) -> None:
    async with two_nodes(pg_settings) as (_a, b):
        orphan = CommandRecord(
            id=str(uuid.uuid4()),
            station_id="CP-GHOST",
            kind=ClearCache.kind,
            status=CommandStatus.PENDING,
            request=ClearCache(),
            requested_by="cli",
            created_at=datetime.now(UTC) - timedelta(minutes=1),
            origin_node="node-b",
            target_node="node-ghost",
            timeout_s=5,
        )

        async def store(uow: UnitOfWork) -> None:
            await insert_command(uow, orphan)

        await b.writer.run(store)
        record = await b.commands.wait(orphan.id, 10)
    assert record is not None
    assert record.status is CommandStatus.FAILED
    assert record.error == "the node holding the station stopped before the command was answered"
