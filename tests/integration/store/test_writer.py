"""Group commit on a real database: results after commit, isolation of a failing use case,
events published after commit only."""

import asyncio

import pytest
from sqlalchemy import func, insert, select

from shared.domain.stations import RegistrationStatus
from shared.events import DomainEvent, LocalEventBus, StationBooted
from shared.store.database import Database
from shared.store.stations import add_station
from shared.store.tables import station_events, stations
from shared.store.uow import UnitOfWork
from shared.store.writer import BatchWriter


async def _count(db: Database, table) -> int:  # type: ignore[no-untyped-def]
    async with db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_many_callers_share_batches_and_all_commit(database: Database) -> None:
    writer = BatchWriter(database, None, max_batch=50)
    writer.start()

    async def add(uow: UnitOfWork, n: int) -> int:
        await add_station(uow, f"CP-{n}")
        return n

    results = await asyncio.gather(*(writer.run(lambda u, n=n: add(u, n)) for n in range(200)))
    await writer.aclose()
    assert results == list(range(200))
    assert await _count(database, stations) == 200
    assert writer.batches < 200  # grouped


async def test_failing_use_case_does_not_fail_the_others(database: Database) -> None:
    writer = BatchWriter(database, None)
    writer.start()

    async def good(uow: UnitOfWork, n: int) -> None:
        await add_station(uow, f"OK-{n}")

    async def bad(uow: UnitOfWork) -> None:
        await uow.conn.execute(insert(station_events).values(station_id=None))

    jobs = [writer.run(lambda u, n=n: good(u, n)) for n in range(5)]
    jobs.insert(2, writer.run(bad))
    outcomes = await asyncio.gather(*jobs, return_exceptions=True)
    await writer.aclose()
    assert sum(isinstance(o, Exception) for o in outcomes) == 1
    assert isinstance(outcomes[2], Exception)
    assert await _count(database, stations) == 5


async def test_events_published_after_commit_only(database: Database) -> None:
    bus = LocalEventBus()
    seen: list[DomainEvent] = []
    bus.subscribe(StationBooted, seen.append)
    writer = BatchWriter(database, bus)
    writer.start()

    async def ok(uow: UnitOfWork) -> None:
        await add_station(uow, "EV-1")
        uow.emit(StationBooted(at=uow.now, station_id="EV-1", registration_status="accepted"))

    async def fails(uow: UnitOfWork) -> None:
        uow.emit(StationBooted(at=uow.now, station_id="EV-2", registration_status="accepted"))
        raise RuntimeError("boom")

    await writer.run(ok)
    with pytest.raises(RuntimeError):
        await writer.run(fails)
    await writer.aclose()
    assert [e.station_id for e in seen if isinstance(e, StationBooted)] == ["EV-1"]


async def test_transactional_writer_runs_inside_the_transaction(database: Database) -> None:
    bus = LocalEventBus()

    async def write_outbox(uow: UnitOfWork, event: StationBooted) -> None:
        uow.defer(
            insert(station_events),
            {
                "station_id": event.station_id,
                "kind": "booted",
                "timestamp": uow.now,
                "data": {},
                "received_at": uow.now,
            },
        )

    bus.add_transactional_writer(StationBooted, write_outbox)
    writer = BatchWriter(database, bus)
    writer.start()

    async def boot(uow: UnitOfWork) -> None:
        await add_station(uow, "TX-1", registration_status=RegistrationStatus.PENDING)
        uow.emit(StationBooted(at=uow.now, station_id="TX-1", registration_status="pending"))

    await writer.run(boot)
    await writer.aclose()
    assert await _count(database, station_events) == 1


async def test_closed_writer_refuses_work(database: Database) -> None:
    writer = BatchWriter(database, None)
    writer.start()
    await writer.aclose()
    from shared.store.writer import WriterClosedError

    async def nothing(uow: UnitOfWork) -> None:
        return None

    with pytest.raises(WriterClosedError):
        await writer.run(nothing)
