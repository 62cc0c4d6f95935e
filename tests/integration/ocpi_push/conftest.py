"""The push worker against simulated eMSPs on real sockets, over a real database.

The objects partners are sent come from `FakeSource` (the spec's example objects, owned by
SE*LDP), so these tests are about the outbox and the worker, not about the mapping of
locations and sessions (tested with the SENDER modules).
"""

from __future__ import annotations

import copy
import itertools
import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from ocpi_gateway.push import PushSupervisor
from ocpi_gateway.push_worker import PushSettings
from ocpi_gateway.services import OcpiServices
from shared.config import load_settings
from shared.events import LocalEventBus
from shared.store.database import Database
from shared.store.outbox_writers import OutboxWriters
from shared.store.tables import partners
from shared.store.uow import UnitOfWork
from shared.store.writer import BatchWriter
from simulators.emsp import EmspOptions, EmspSimulator
from tests.unit.outbox import seed

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "ocpi_examples"
ALL_MODULES = ("locations", "sessions", "cdrs", "tariffs")
_stamps = itertools.count(1)


def example(name: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))
    data.update(country_code="SE", party_id="LDP", **changes)
    return data


def stamp() -> str:
    """A fresh, increasing last_updated."""
    moment = seed.NOW + timedelta(seconds=next(_stamps))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FakeSource:
    """Objects in their wire form, changed by the tests."""

    locations: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    cdrs: dict[str, dict[str, Any]] = field(default_factory=dict)
    tariffs: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def location(self, conn: AsyncConnection, location_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.locations.get(location_id))

    async def evse(
        self, conn: AsyncConnection, location_id: str, evse_uid: str
    ) -> dict[str, Any] | None:
        location = self.locations.get(location_id) or {}
        found = [e for e in location.get("evses", []) if e["uid"] == evse_uid]
        return copy.deepcopy(found[0]) if found else None

    async def session(
        self, conn: AsyncConnection, session_id: str, partner_id: int
    ) -> dict[str, Any] | None:
        return copy.deepcopy(self.sessions.get(session_id))

    async def cdr(self, conn: AsyncConnection, cdr_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.cdrs.get(cdr_id))

    async def tariff(self, conn: AsyncConnection, tariff_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.tariffs.get(tariff_id))

    def set_evse_status(self, uid: str, status: str) -> None:
        for location in self.locations.values():
            for evse in location.get("evses", []):
                if evse["uid"] == uid:
                    evse["status"] = status
                    evse["last_updated"] = location["last_updated"] = stamp()


@dataclass
class PushHarness:
    database: Database
    bus: LocalEventBus
    writer: BatchWriter
    writers: OutboxWriters
    services: OcpiServices
    source: FakeSource
    supervisor: PushSupervisor
    sims: list[EmspSimulator] = field(default_factory=list)

    async def run(self, use_case: Any) -> Any:
        return await self.writer.run(use_case)

    async def partner(
        self,
        modules: tuple[str, ...] = ALL_MODULES,
        *,
        replay: bool = True,
        party: tuple[str, str] = ("NL", "SIM"),
    ) -> tuple[int, EmspSimulator]:
        """A registered partner: a simulated eMSP wired up by hand."""
        sim = EmspSimulator(EmspOptions(country_code=party[0], party_id=party[1]))
        await sim.start()
        self.sims.append(sim)
        token = secrets.token_hex(16)
        sim.admit(token, "SE", "LDP")
        endpoints = [
            {"identifier": m, "role": "RECEIVER", "url": sim.party.module_url(m)} for m in modules
        ]

        async def add(uow: UnitOfWork) -> int:
            result = await uow.conn.execute(
                insert(partners)
                .values(
                    name=f"{party[0]}*{party[1]}",
                    status="registered",
                    country_code=party[0],
                    party_id=party[1],
                    roles=[{"role": "EMSP", "country_code": party[0], "party_id": party[1]}],
                    endpoints=endpoints,
                    versions_url=sim.versions_url,
                    version="2.2.1",
                    outgoing_token=token,
                    outgoing_token_base64=True,
                    replay_missed=replay,
                    created_at=seed.NOW,
                    updated_at=seed.NOW,
                )
                .returning(partners.c.id)
            )
            return int(result.scalar_one())

        partner_id = int(await self.run(add))
        # The partner synced by GET when it registered: it has our locations.
        for location_id, location in self.source.locations.items():
            sim.store.locations[("SE", "LDP", location_id)] = copy.deepcopy(location)
        await self.supervisor.refresh()
        return partner_id, sim

    async def site(self) -> None:
        """CP-1 with EVSEs 1 and 2, published at LOC1 as EVSE-1 and EVSE-2."""

        async def setup(uow: UnitOfWork) -> None:
            await seed.station(uow, "CP-1", (1, 2))
            await seed.location(uow, "LOC1")
            await seed.link(uow, "CP-1", 1, "LOC1", "EVSE-1")
            await seed.link(uow, "CP-1", 2, "LOC1", "EVSE-2")

        await self.run(setup)
        await self.writers.load()
        location = example("location_example", id="LOC1", last_updated=stamp())
        location["evses"] = location["evses"][:2]
        for evse, uid in zip(location["evses"], ("EVSE-1", "EVSE-2"), strict=True):
            evse["uid"] = uid
            evse["status"] = "AVAILABLE"
        self.source.locations["LOC1"] = location


@pytest.fixture
async def push(database: Database) -> AsyncIterator[PushHarness]:
    settings = load_settings(None, environ={}).model_copy(update={"database": database.settings})
    bus = LocalEventBus()
    writer = BatchWriter(database, bus)
    writers = OutboxWriters(database)
    writers.install(bus)
    writer.start()
    services = OcpiServices(settings, database, writer, bus)
    source = FakeSource()
    push_settings = PushSettings(
        timeout=5.0, gap_grace=0.3, poll_interval=0.5, retry_min=0.1, retry_max=0.5
    )
    supervisor = PushSupervisor(services, source, settings=push_settings, refresh_interval=0.2)
    supervisor.install(bus)
    await supervisor.start()
    harness = PushHarness(database, bus, writer, writers, services, source, supervisor)
    try:
        yield harness
    finally:
        await supervisor.aclose()
        for sim in harness.sims:
            sim.release()
            await sim.aclose()
        await writer.aclose()
        await bus.aclose()


from tests.integration.ocpi_receivers.node_setup import db_settings, node  # noqa: E402

__all__ = ["FakeSource", "PushHarness", "db_settings", "node"]
