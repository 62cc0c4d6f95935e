"""The CDR worker on a real database: scans find every completed session without a CDR,
never issue one twice (two workers at once), skip active sessions until they end, and issue
zero-cost CDRs for sessions at connectors without a tariff."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from shared.billing.cdr_worker import CdrWorker
from shared.billing.cdrs import CdrIssuer
from shared.domain.transactions import TransactionState, TransactionStatus
from shared.events import CdrCreated, LocalEventBus
from shared.store.database import Database
from shared.store.meter_values import record_meter_samples
from shared.store.tables import transactions
from shared.store.transactions import insert_transaction
from shared.store.uow import UnitOfWork
from shared.store.writer import BatchWriter
from tests.integration.billing.helpers import add_location, add_tariff, all_cdrs, link_connector

T0 = datetime(2025, 2, 3, 9, 0, tzinfo=UTC)
ISSUER = CdrIssuer("SE", "LDP", "SEK")
TARIFF = {
    "id": "FLAT-2",
    "currency": "EUR",
    "elements": [{"price_components": [{"type": "FLAT", "price": 2, "vat": 25, "step_size": 0}]}],
}


@pytest.fixture
async def writer(database: Database) -> AsyncIterator[tuple[BatchWriter, LocalEventBus]]:
    bus = LocalEventBus()
    batch_writer = BatchWriter(database, bus)
    batch_writer.start()
    try:
        yield batch_writer, bus
    finally:
        await batch_writer.aclose()
        await bus.aclose()


async def add_session(
    database: Database, station: str, start: datetime, *, completed: bool, wh: float = 5000.0
) -> int:
    state = TransactionState(
        status=TransactionStatus.COMPLETED if completed else TransactionStatus.ACTIVE,
        started_at=start,
        ended_at=start + timedelta(minutes=30) if completed else None,
        evse_id=1,
        connector_id=1,
        id_token="TAG-W",
        meter_start_wh=0.0,
        meter_stop_wh=wh if completed else None,
        energy_wh=wh if completed else 0.0,
        stop_reason="Local" if completed else None,
    )
    async with database.begin() as conn:
        uow = UnitOfWork(conn, None)
        transaction_id = await insert_transaction(uow, station, state)
        record_meter_samples(
            uow,
            [
                {
                    "station_id": station, "evse_id": 1, "transaction_id": None,
                    "timestamp": start + timedelta(minutes=10),
                    "measurand": "Energy.Active.Import.Register",
                    "phase": None, "unit": "Wh", "context": None, "location": None, "value": wh / 2,
                }
            ],
            transaction_id=transaction_id,
        )  # fmt: skip
        await uow.flush()
    return transaction_id


async def test_scans_issue_each_missing_cdr_once(
    database: Database, writer: tuple[BatchWriter, LocalEventBus]
) -> None:
    batch_writer, bus = writer
    created: list[CdrCreated] = []
    bus.subscribe(CdrCreated, created.append)
    await add_location(database)
    await add_tariff(database, TARIFF)
    await link_connector(database, "CP-W", 1, 1, location_id="LOC-1", tariff_ids=["FLAT-2"])
    done = [
        await add_session(database, "CP-W", T0 + i * timedelta(hours=1), completed=True)
        for i in range(3)
    ]
    running = await add_session(database, "CP-W", T0 + timedelta(hours=5), completed=False)

    first = CdrWorker(database, batch_writer, bus, ISSUER, batch=2)  # pages of two
    second = CdrWorker(database, batch_writer, bus, ISSUER, batch=2)
    issued = await asyncio.gather(first.scan(), second.scan())  # two nodes at once
    cdrs = await all_cdrs(database)
    assert sorted(c.transaction_id for c in cdrs if c.transaction_id is not None) == done
    assert len({cdr_id for ids in issued for cdr_id in ids}) == 3
    assert len(created) == 3  # only the insert that won announced its CDR
    assert all(c.total_cost_excl_vat == Decimal(2) for c in cdrs)
    assert all(c.total_cost_incl_vat == Decimal("2.5") for c in cdrs)

    assert await first.scan() == []  # nothing new
    # The running session ends, and one is recorded as already completed (an unknown stop):
    # both lie above what was scanned, both are found.
    async with database.begin() as conn:
        await conn.execute(
            update(transactions)
            .where(transactions.c.id == running)
            .values(status="completed", ended_at=T0 + timedelta(hours=6), meter_stop_wh=5000.0)
        )
    late = await add_session(database, "CP-W", T0 + timedelta(hours=7), completed=True)
    again = await first.scan()
    assert len(again) == 2
    by_transaction = {c.transaction_id for c in await all_cdrs(database)}
    assert {running, late} <= by_transaction
    assert len(created) == 5


async def test_a_session_without_tariff_gets_a_zero_cost_cdr(
    database: Database, writer: tuple[BatchWriter, LocalEventBus]
) -> None:
    batch_writer, bus = writer
    await link_connector(database, "CP-FREE", 1, 1, location_id=None, tariff_ids=None)
    transaction_id = await add_session(database, "CP-FREE", T0, completed=True, wh=7250.0)
    worker = CdrWorker(database, batch_writer, bus, ISSUER)
    cdr = await worker.issue(transaction_id)
    assert cdr is not None
    assert (cdr.total_cost_excl_vat, cdr.total_cost_incl_vat, cdr.currency) == (
        Decimal(0),
        Decimal(0),
        "SEK",
    )
    assert cdr.record["total_energy"] == 7.25
    assert "tariffs" not in cdr.record
    assert "cdr_location" not in cdr.record  # the station is linked to no location
    assert all("tariff_id" not in p for p in cdr.record["charging_periods"])
    assert await worker.issue(transaction_id) == cdr  # asked again: the same CDR, not a new one
    assert len(await all_cdrs(database)) == 1
