"""The event relay's wire side: batches under the NOTIFY limit, own notifications skipped,
re-published events not relayed again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson

from shared.cluster.listener import PgListener, channel_name
from shared.cluster.relay import MAX_PAYLOAD_BYTES, EventRelay
from shared.config import DatabaseSettings
from shared.events import CommandFinished, ConnectorStatusChanged, LocalEventBus
from shared.store.database import Database

AT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def relay(tmp_path: Path, node_id: str = "node-a") -> tuple[EventRelay, LocalEventBus, Database]:
    settings = DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    bus, database = LocalEventBus(), Database(settings)
    return EventRelay(bus, database, PgListener(settings), node_id), bus, database


def status(n: int) -> ConnectorStatusChanged:
    return ConnectorStatusChanged(AT, f"CP-{n:05d}", 1, 1, "Occupied", "Available", "Occupied")


async def test_batches_stay_under_the_payload_limit(tmp_path: Path) -> None:
    relay_a, _bus, database = relay(tmp_path)
    events = [status(n) for n in range(500)]
    payloads = list(relay_a._payloads(events))
    await database.dispose()
    assert len(payloads) > 1
    assert all(len(p.encode()) < MAX_PAYLOAD_BYTES for p in payloads)
    decoded = [item for p in payloads for item in orjson.loads(p)["e"]]
    assert [data["station_id"] for _name, data in decoded] == [e.station_id for e in events]
    assert {orjson.loads(p)["n"] for p in payloads} == {"node-a"}


async def test_other_nodes_events_are_published_once_and_not_relayed_back(
    tmp_path: Path,
) -> None:
    relay_a, _bus_a, db_a = relay(tmp_path, "node-a")
    relay_b, bus_b, db_b = relay(tmp_path, "node-b")
    seen: list[CommandFinished] = []
    bus_b.subscribe(CommandFinished, seen.append)
    event = CommandFinished(AT, "cmd-1", "CP-1", "accepted")
    [payload] = relay_a._payloads([event])
    relay_b._incoming(payload)
    relay_a._incoming(payload)  # its own notification comes back too: ignored
    await db_a.dispose()
    await db_b.dispose()
    assert seen == [event]
    assert relay_b._queue == []  # the re-published event is not queued for relaying
    assert relay_b.received == 1
    assert relay_a.received == 0


async def test_garbage_and_unknown_events_are_skipped(tmp_path: Path) -> None:
    relay_b, bus_b, database = relay(tmp_path, "node-b")
    seen: list[object] = []
    bus_b.subscribe(CommandFinished, seen.append)
    relay_b._incoming("not json")
    relay_b._incoming('{"n": "node-a", "e": [["NoSuchEvent", {}], ["CommandFinished", {"at": 1}]]}')
    await database.dispose()
    assert seen == []


def test_channels_are_per_schema() -> None:
    plain = DatabaseSettings(url="postgresql+asyncpg://x/db")
    scoped = DatabaseSettings(url="postgresql+asyncpg://x/db", schema_name="tenant_1")
    assert channel_name("events", plain) == "laddpunkt_events"
    assert channel_name("events", scoped) == "laddpunkt_events_tenant_1"
