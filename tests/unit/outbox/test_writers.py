"""Domain events become outbox rows in their own transaction, only for what partners see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shared.billing.costs import SessionCostChanged
from shared.events import (
    CdrCreated,
    ConnectorStatusChanged,
    LocationChanged,
    StationDisconnected,
    TariffChanged,
    TransactionEnded,
    TransactionStarted,
    TransactionUpdated,
)
from shared.store.outbox import OutboxMethod, OutboxModule
from shared.store.outbox_writers import requested_by_partner
from shared.store.tables import transactions
from shared.store.uow import UnitOfWork

from . import seed
from .conftest import Harness


def _status(station_id: str, evse_id: int, status: str = "Occupied") -> ConnectorStatusChanged:
    return ConnectorStatusChanged(seed.NOW, station_id, evse_id, 1, status, "Available", status)


async def _published_site(h: Harness) -> None:
    async def setup(uow: UnitOfWork) -> None:
        await seed.station(uow, "CP-1", (1, 2, 3))
        await seed.location(uow, "LOC1")
        await seed.location(uow, "HIDDEN", publish=False)
        await seed.link(uow, "CP-1", 1, "LOC1", "EVSE-1")
        await seed.link(uow, "CP-1", 2, "HIDDEN", "EVSE-2")

    await h.run(setup)
    await h.writers.load()


async def test_status_of_a_published_evse_makes_one_patch_row(harness: Harness) -> None:
    await _published_site(harness)

    async def statuses(uow: UnitOfWork) -> None:
        for evse_id in (1, 2, 3):  # published, unpublished location, not linked
            uow.emit(_status("CP-1", evse_id))

    await harness.run(statuses)
    rows = await harness.rows()
    assert [(r.module, r.object_id, r.method, r.fields) for r in rows] == [
        (OutboxModule.LOCATIONS, "LOC1/EVSE-1", OutboxMethod.PATCH, ("status",))
    ]
    assert rows[0].partner_id is None  # every partner with a locations Receiver


async def test_rows_roll_back_with_their_change(harness: Harness) -> None:
    await _published_site(harness)

    async def failing(uow: UnitOfWork) -> None:
        uow.emit(_status("CP-1", 1))
        await uow.flush()  # the row is written in this transaction …
        raise RuntimeError("the change fails")  # … and goes with it

    with pytest.raises(RuntimeError):
        await harness.run(failing)
    assert await harness.rows() == []


async def test_linking_in_the_same_batch_publishes_at_once(harness: Harness) -> None:
    await _published_site(harness)

    async def link_and_change(uow: UnitOfWork) -> None:
        await seed.link(uow, "CP-1", 3, "LOC1", "EVSE-3")
        uow.emit(LocationChanged(seed.NOW, "LOC1"))
        uow.emit(_status("CP-1", 3))  # its writer runs after the location's

    await harness.run(link_and_change)
    rows = await harness.rows()
    assert [(r.object_id, r.method) for r in rows] == [
        ("LOC1", OutboxMethod.PUT),
        ("LOC1/EVSE-3", OutboxMethod.PATCH),
    ]


async def test_station_disconnect_patches_its_published_evses(harness: Harness) -> None:
    await _published_site(harness)

    async def gone(uow: UnitOfWork) -> None:
        uow.emit(StationDisconnected(seed.NOW, "CP-1", "node"))

    await harness.run(gone)
    assert [r.object_id for r in await harness.rows()] == ["LOC1/EVSE-1"]


async def test_sessions_go_to_the_token_owner_only(harness: Harness) -> None:
    await _published_site(harness)

    async def charge(uow: UnitOfWork) -> tuple[int, int, int]:
        emsp = await seed.partner(uow)
        own = await seed.transaction(uow, "CP-1", 1, partner_id=emsp)
        other = await seed.transaction(uow, "CP-1", 3, partner_id=None, id_token="LOCAL")
        for tx in (own, other):
            uow.emit(TransactionStarted(seed.NOW, tx, "CP-1", 1, 1, "T"))
            uow.emit(TransactionUpdated(seed.NOW, tx, "CP-1", 100.0))
        return emsp, own, other

    emsp, own, _ = await harness.run(charge)

    async def finish(uow: UnitOfWork) -> None:
        uow.emit(
            SessionCostChanged(seed.NOW, own, "CP-1", "SEK", 1, None, 1, "T1")  # type: ignore[arg-type]
        )
        uow.emit(TransactionEnded(seed.NOW, own, "CP-1", 200.0, "Local"))
        await seed.cdr(uow, "CDR-1", own, emsp)
        uow.emit(CdrCreated(seed.NOW, "CDR-1", own))

    await harness.run(finish)
    rows = [r for r in await harness.rows(emsp) if r.module is not OutboxModule.LOCATIONS]
    assert [(r.module, r.object_id, r.method, r.partner_id) for r in rows] == [
        (OutboxModule.SESSIONS, str(own), OutboxMethod.PUT, emsp),
        (OutboxModule.SESSIONS, str(own), OutboxMethod.PATCH, emsp),
        (OutboxModule.SESSIONS, str(own), OutboxMethod.PATCH, emsp),
        (OutboxModule.SESSIONS, str(own), OutboxMethod.PATCH, emsp),
        (OutboxModule.CDRS, "CDR-1", OutboxMethod.POST, emsp),
    ]
    assert "end_date_time" in rows[3].fields
    # Another partner sees none of them.
    assert all(r.module is OutboxModule.LOCATIONS for r in await harness.rows(emsp + 1))


async def test_a_remote_start_session_belongs_to_the_partner_that_asked(
    harness: Harness,
) -> None:
    await _published_site(harness)

    async def start(uow: UnitOfWork) -> tuple[int, int]:
        emsp = await seed.partner(uow)
        await seed.start_command(uow, "CP-1", "APPTOKEN", requested_by_partner(emsp))
        tx = await seed.transaction(uow, "CP-1", 1, id_token="APPTOKEN")
        uow.emit(TransactionStarted(seed.NOW, tx, "CP-1", 1, 1, "APPTOKEN"))
        return emsp, tx

    emsp, tx = await harness.run(start)
    sessions = [r for r in await harness.rows(emsp) if r.module is OutboxModule.SESSIONS]
    assert [(r.object_id, r.method, r.partner_id) for r in sessions] == [
        (str(tx), OutboxMethod.PUT, emsp)
    ]
    async with harness.database.read() as conn:
        stored = (
            await conn.execute(select(transactions.c.partner_id).where(transactions.c.id == tx))
        ).scalar_one()
    assert stored == emsp


async def test_location_and_tariff_changes(harness: Harness) -> None:
    async def changes(uow: UnitOfWork) -> None:
        await seed.location(uow, "LOC9")
        uow.emit(LocationChanged(seed.NOW, "LOC9", ("name", "opening_times")))
        uow.emit(TariffChanged(seed.NOW, "T1"))
        uow.emit(TariffChanged(seed.NOW, "T2", deleted=True))

    await harness.run(changes)
    rows = await harness.rows()
    assert [(r.module, r.object_id, r.method, r.fields) for r in rows] == [
        (OutboxModule.LOCATIONS, "LOC9", OutboxMethod.PATCH, ("name", "opening_times")),
        (OutboxModule.TARIFFS, "T1", OutboxMethod.PUT, ()),
        (OutboxModule.TARIFFS, "T2", OutboxMethod.DELETE, ()),
    ]
