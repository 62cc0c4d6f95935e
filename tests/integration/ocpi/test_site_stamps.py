"""Every change moves a site's `last_updated` forward, to a new value — also when the change
carries an older time (an earlier batch committing late, another node's clock): the kept
renderings of the gateway are valid for one stored value only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from shared.events import ConnectorStatusChanged, LocalEventBus
from shared.store.database import Database
from shared.store.location_writers import register_location_writers
from shared.store.locations import bump_site, get_site, save_site
from shared.store.tables import evses, locations, stations
from shared.store.uow import UnitOfWork

T = datetime(2024, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


async def _site(database: Database, stamp: datetime) -> None:
    async with database.begin() as conn:
        await conn.execute(
            insert(locations).values(
                id="LOC1",
                country_code="SE",
                party_id="LDP",
                publish=True,
                address="Hamngatan 1",
                city="Stockholm",
                country="SWE",
                latitude="59.332580",
                longitude="18.064900",
                time_zone="Europe/Stockholm",
                details={},
                last_updated=stamp,
            )
        )


async def _stored(database: Database) -> datetime:
    async with database.read() as conn:
        query = select(locations.c.last_updated).where(locations.c.id == "LOC1")
        value: datetime = (await conn.execute(query)).scalar_one()
    return value


async def _bump(database: Database, now: datetime) -> datetime:
    async with database.begin() as conn:
        await bump_site(UnitOfWork(conn, None, now=now), "LOC1")
    return await _stored(database)


async def test_bumps_always_move_forward(database: Database) -> None:
    await _site(database, T)
    assert await _bump(database, T + timedelta(seconds=1)) == T + timedelta(seconds=1)
    later = T + timedelta(seconds=1)
    # Not newer than what is stored: one microsecond after it instead.
    assert await _bump(database, T) == later + timedelta(microseconds=1)
    assert await _bump(database, later) == later + timedelta(microseconds=2)


async def test_a_reimport_moves_forward_too(database: Database) -> None:
    ahead = T + timedelta(seconds=10)  # e.g. stamped by a node whose clock is ahead
    await _site(database, ahead)
    async with database.begin() as conn:
        site = await get_site(conn, "LOC1")
        assert site is not None
        created = await save_site(UnitOfWork(conn, None, now=T), site)
    assert not created
    assert await _stored(database) == ahead + timedelta(microseconds=1)


async def test_a_bump_at_the_end_of_a_second_carries_over(database: Database) -> None:
    edge = T.replace(microsecond=999_999)
    await _site(database, edge)
    assert await _bump(database, T) == edge + timedelta(microseconds=1)
    assert (await _stored(database)).microsecond == 0


async def test_status_writers_move_the_site_even_with_an_older_time(database: Database) -> None:
    await _site(database, T)
    async with database.begin() as conn:
        await conn.execute(
            insert(stations).values(
                id="CP-1",
                registration_status="accepted",
                connected=True,
                created_at=T,
                updated_at=T,
            )
        )
        await conn.execute(
            insert(evses).values(
                station_id="CP-1",
                evse_id=1,
                status="Available",
                location_id="LOC1",
                evse_uid="CP-1-1",
                removed=False,
                last_updated=T,
            )
        )
    bus = LocalEventBus()
    register_location_writers(bus)
    for older in (T - timedelta(seconds=5), T - timedelta(seconds=4)):
        async with database.begin() as conn:
            uow = UnitOfWork(conn, bus, now=older)
            uow.emit(
                ConnectorStatusChanged(
                    at=older,
                    station_id="CP-1",
                    evse_id=1,
                    connector_id=1,
                    status="Occupied",
                    previous_status="Available",
                    evse_status="Occupied",
                )
            )
            await uow.flush()
    assert await _stored(database) == T + timedelta(microseconds=2)
    await bus.aclose()
