"""Locations served from rendered documents: what another node changes shows at once,
unchanged locations are not rendered again, and an object that cannot be sent is left out
without shifting the pages after it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update

from ocpi_gateway.client import next_link
from ocpi_gateway.v221.location_documents import CACHE_NAME
from ocpi_gateway.v221.operator import import_locations, link_station_to_location
from shared.domain.stations import ConnectorStatus
from shared.events import LocalEventBus
from shared.store.database import Database
from shared.store.location_writers import register_location_writers
from shared.store.stations import StatusReport, record_connector_status
from shared.store.tables import locations
from shared.store.uow import UnitOfWork
from shared.store.writer import BatchWriter
from tests.integration.ocpi.conftest import Gateway
from tests.integration.ocpi.helpers import add_station_with_evses, location_doc


@pytest.fixture
async def other_node(gateway: Gateway) -> AsyncIterator[BatchWriter]:
    """A second node's writer on the same database (its own bus and writers)."""
    database = Database(gateway.database.settings)
    bus = LocalEventBus()
    register_location_writers(bus)
    writer = BatchWriter(database, bus)
    writer.start()
    try:
        yield writer
    finally:
        await writer.aclose()
        await bus.aclose()
        await database.dispose()


async def _status(writer: BatchWriter, station: str, status: ConnectorStatus) -> None:
    report = StatusReport(station, 1, 1, status, status.value, None, None, None, None)

    async def write(uow: UnitOfWork) -> None:
        record_connector_status(uow, report, previous=ConnectorStatus.AVAILABLE, evse_status=status)

    await writer.run(write)


async def test_a_change_on_another_node_shows_at_once(
    gateway: Gateway, registered: str, other_node: BatchWriter
) -> None:
    await import_locations(gateway.services, [location_doc("LOC1"), location_doc("LOC2")])
    for station, site in (("CP-1", "LOC1"), ("CP-2", "LOC2")):
        await add_station_with_evses(gateway, station, evses=1)
        await link_station_to_location(gateway.services, site, station)
    first = await gateway.call("GET", "/2.2.1/locations", registered)
    assert [e["status"] for loc in first.data for e in loc["evses"]] == ["AVAILABLE"] * 2
    # Another node stores a status change: this node has heard of no event.
    await _status(other_node, "CP-2", ConnectorStatus.OCCUPIED)
    again = await gateway.call("GET", "/2.2.1/locations", registered)
    statuses = {loc["id"]: loc["evses"][0]["status"] for loc in again.data}
    assert statuses == {"LOC1": "AVAILABLE", "LOC2": "CHARGING"}
    one = await gateway.call("GET", "/2.2.1/locations/LOC2/CP-2-1", registered)
    assert one.data["status"] == "CHARGING"
    # The unchanged location was served as it was rendered, byte for byte the same object.
    assert again.data[[loc["id"] for loc in again.data].index("LOC1")] in first.data


async def test_only_changed_locations_are_rendered_again(gateway: Gateway, registered: str) -> None:
    await import_locations(gateway.services, [location_doc(f"L{n}") for n in range(5)])
    await gateway.call("GET", "/2.2.1/locations", registered)
    cache = gateway.documents.cache(CACHE_NAME)
    assert cache.stats().entries == 5
    misses = cache.stats().misses
    await import_locations(gateway.services, location_doc("L3", name="Renamed"))
    answer = await gateway.call("GET", "/2.2.1/locations", registered)
    assert {loc["id"]: loc.get("name") for loc in answer.data}["L3"] == "Renamed"
    assert cache.stats().misses == misses + 1  # L3 only
    single = await gateway.call("GET", "/2.2.1/locations/l3", registered)
    assert single.data["name"] == "Renamed"
    assert cache.stats().misses == misses + 1  # served as kept


async def test_unsendable_location_is_left_out_without_shifting_pages(
    gateway: Gateway, registered: str
) -> None:
    await import_locations(gateway.services, [location_doc(f"L{n}") for n in range(4)])

    async def spoil(uow: UnitOfWork) -> None:
        # Stored data the model no longer accepts (a language is string(2)).
        details = {"attributes": {"directions": [{"language": "english", "text": "x"}]}}
        await uow.conn.execute(
            update(locations).where(locations.c.id == "L1").values(details=details)
        )

    await gateway.writer.run(spoil)
    page = await gateway.call("GET", "/2.2.1/locations?limit=2", registered)
    assert [loc["id"] for loc in page.data] == ["L0"]  # L1 left out
    assert page.headers["X-Total-Count"] == "4"
    link = next_link(page.headers["Link"]) or ""
    assert parse_qs(urlsplit(link).query)["offset"] == ["2"]  # L1 still counted
    rest = await gateway.call("GET", link, registered)
    assert [loc["id"] for loc in rest.data] == ["L2", "L3"]
