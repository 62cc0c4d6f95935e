"""The outbox rows and the partners' cursors in the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.store.outbox import (
    OutboxMethod,
    OutboxModule,
    PushState,
    cdr_delivery,
    defer_outbox,
    ensure_push_state,
    entries_after,
    get_push_state,
    last_outbox_id,
    mark_delivered,
    prune_outbox,
    save_push_state,
)
from shared.store.uow import UnitOfWork

from . import seed
from .conftest import Harness


async def _rows(h: Harness, a: int, b: int) -> None:
    async def write(uow: UnitOfWork) -> None:
        defer_outbox(uow, OutboxModule.LOCATIONS, "LOC1/E1", OutboxMethod.PATCH, fields=["status"])
        defer_outbox(uow, OutboxModule.SESSIONS, "7", OutboxMethod.PUT, partner_id=a)
        defer_outbox(uow, OutboxModule.CDRS, "CDR-7", OutboxMethod.POST, partner_id=a)
        defer_outbox(uow, OutboxModule.SESSIONS, "8", OutboxMethod.PUT, partner_id=b)

    await h.run(write)


async def test_each_partner_reads_its_own_and_the_broadcast_rows(harness: Harness) -> None:
    a, b = await harness.run(lambda uow: _two_partners(uow))
    await _rows(harness, a, b)
    async with harness.database.read() as conn:
        for_a = await entries_after(conn, 0, a)
        for_b = await entries_after(conn, 0, b)
        newest = await last_outbox_id(conn)
        after_first = await entries_after(conn, for_a[0].id, a, limit=1)
    assert [r.object_id for r in for_a] == ["LOC1/E1", "7", "CDR-7"]
    assert [r.object_id for r in for_b] == ["LOC1/E1", "8"]
    assert for_a[0].fields == ("status",)
    assert newest == for_b[-1].id
    assert [r.object_id for r in after_first] == ["7"]


async def _two_partners(uow: UnitOfWork) -> tuple[int, int]:
    return await seed.partner(uow, "A"), await seed.partner(uow, "B")


async def test_a_new_partner_starts_at_the_newest_row_and_never_moves_back(
    harness: Harness,
) -> None:
    a, b = await harness.run(lambda uow: _two_partners(uow))
    await _rows(harness, a, b)
    state = await harness.run(lambda uow: ensure_push_state(uow, a))
    async with harness.database.read() as conn:
        newest = await last_outbox_id(conn)
    assert state == PushState(a, newest)
    failing = PushState(a, newest - 2, seed.NOW, "HTTP 503")
    await harness.run(lambda uow: save_push_state(uow, failing))
    async with harness.database.read() as conn:
        stored = await get_push_state(conn, a)
    assert stored == PushState(a, newest, seed.NOW, "HTTP 503")
    assert await harness.run(lambda uow: ensure_push_state(uow, a)) == stored


async def test_cdr_delivery_keeps_the_location_and_survives_pruning(harness: Harness) -> None:
    a, b = await harness.run(lambda uow: _two_partners(uow))
    await _rows(harness, a, b)
    async with harness.database.read() as conn:
        cdr_row = (await entries_after(conn, 0, a))[-1]
        assert await cdr_delivery(conn, "CDR-7", a) is None
    await harness.run(lambda uow: mark_delivered(uow, cdr_row.id, "https://emsp/cdrs/1"))
    later = datetime.now(UTC) + timedelta(days=1)
    deleted = await harness.run(lambda uow: prune_outbox(uow, 10**9, later))
    async with harness.database.read() as conn:
        delivered = await cdr_delivery(conn, "CDR-7", a)
        left = await entries_after(conn, 0, a)
    assert deleted == 3
    assert delivered is not None
    assert delivered.delivered_location == "https://emsp/cdrs/1"
    assert [r.module for r in left] == [OutboxModule.CDRS]
