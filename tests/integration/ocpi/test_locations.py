"""Locations Sender interface: imports, linking stations, live status, GET object and list."""

from __future__ import annotations

from typing import Any

import pytest

from ocpi_gateway.v221.operator import (
    DocumentError,
    import_locations,
    import_tariffs,
    link_station_to_location,
    unlink_station_from_location,
)
from shared.domain.stations import ConnectorStatus
from shared.store.location_links import LinkError
from tests.integration.ocpi.conftest import Gateway
from tests.integration.ocpi.helpers import (
    add_station_with_evses,
    evse_doc,
    location_doc,
    report_status,
    spec_example,
    tariff_doc,
)


def _without_timestamps(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timestamps(v) for k, v in value.items() if k != "last_updated"}
    if isinstance(value, list):
        return [_without_timestamps(v) for v in value]
    return value


@pytest.mark.parametrize(
    "example",
    [
        "location_example.json",
        "location_example_parking_garage_opening_hours.json",
        "location_example_uc2_destination_charger.json",
        "location_example_uc3_destination_charger_not_published.json",
        "location_example_uc4_limited_visibility.json",
        "location_example_uc5_home_charge_point.json",
    ],
)
async def test_spec_examples_round_trip(gateway: Gateway, registered: str, example: str) -> None:
    document = spec_example(example)
    result = await import_locations(gateway.services, document)
    assert result.created == (document["id"],)
    answer = await gateway.call("GET", f"/2.2.1/locations/{document['id']}", registered)
    assert (answer.status, answer.code) == (200, 1000), answer.body
    assert _without_timestamps(answer.data) == _without_timestamps(document)
    listed = await gateway.call("GET", "/2.2.1/locations", registered)
    assert [loc["id"] for loc in listed.data] == [document["id"]]


async def test_linked_station_publishes_live_evses(gateway: Gateway, registered: str) -> None:
    await add_station_with_evses(gateway, "CP-1", evses=2)
    await import_tariffs(gateway.services, tariff_doc("T1"))
    await import_locations(gateway.services, location_doc("LOC1"))
    result = await link_station_to_location(gateway.services, "LOC1", "CP-1", "T1")
    assert result.evses == ((1, "CP-1-1"), (2, "CP-1-2"))
    answer = await gateway.call("GET", "/2.2.1/locations/LOC1", registered)
    evses = answer.data["evses"]
    assert [(e["uid"], e["evse_id"], e["status"]) for e in evses] == [
        ("CP-1-1", "SE*LDP*ECP1*1", "AVAILABLE"),
        ("CP-1-2", "SE*LDP*ECP1*2", "AVAILABLE"),
    ]
    connector = evses[0]["connectors"][0]
    assert connector == {
        "id": "1",
        "standard": "IEC_62196_T2",
        "format": "SOCKET",
        "power_type": "AC_3_PHASE",
        "max_voltage": 230,
        "max_amperage": 32,
        "tariff_ids": ["T1"],
        "last_updated": connector["last_updated"],
    }
    assert "REMOTE_START_STOP_CAPABLE" in evses[0]["capabilities"]
    # A status change shows at once and bumps the EVSE and the location.
    before = answer.data["last_updated"]
    await report_status(gateway, "CP-1", 2, 1, ConnectorStatus.OCCUPIED, ConnectorStatus.AVAILABLE)
    evse = await gateway.call("GET", "/2.2.1/locations/LOC1/CP-1-2", registered)
    assert evse.data["status"] == "CHARGING"
    after = await gateway.call("GET", "/2.2.1/locations/LOC1", registered)
    assert after.data["last_updated"] > before
    assert after.data["last_updated"] >= evse.data["last_updated"]
    plug = await gateway.call("GET", "/2.2.1/locations/loc1/cp-1-2/1", registered)
    assert plug.code == 1000
    assert plug.data["id"] == "1"


async def test_import_file_describes_evses_that_stations_take_over(
    gateway: Gateway, registered: str
) -> None:
    document = location_doc(
        "LOC2", evses=[evse_doc("FAST-A", "1"), evse_doc("FAST-B", "1", physical_reference="B")]
    )
    await import_locations(gateway.services, document)
    # Before a station is linked, the described EVSEs are published as described.
    answer = await gateway.call("GET", "/2.2.1/locations/LOC2", registered)
    assert [e["uid"] for e in answer.data["evses"]] == ["FAST-A", "FAST-B"]
    await add_station_with_evses(gateway, "DC-7", evses=1)
    await link_station_to_location(gateway.services, "LOC2", "DC-7")
    answer = await gateway.call("GET", "/2.2.1/locations/LOC2", registered)
    evses = {e["uid"]: e for e in answer.data["evses"]}
    assert list(evses) == ["FAST-A", "FAST-B"]  # the live one first, then the described one
    live = evses["FAST-A"]
    assert live["evse_id"] == "SE*LDP*EFASTA"
    assert live["connectors"][0]["standard"] == "IEC_62196_T2_COMBO"
    assert live["connectors"][0]["max_electric_power"] == 150000
    assert live["status"] == "AVAILABLE"


async def test_station_linked_before_it_reports_publishes_new_evses(
    gateway: Gateway, registered: str
) -> None:
    await import_locations(gateway.services, location_doc("LOC3"))
    await add_station_with_evses(gateway, "NEW-1", evses=0, connected=False)
    await link_station_to_location(gateway.services, "LOC3", "NEW-1")
    answer = await gateway.call("GET", "/2.2.1/locations/LOC3", registered)
    assert [(e["uid"], e["status"]) for e in answer.data["evses"]] == [("NEW-1-1", "UNKNOWN")]
    # The station connects and reports two EVSEs: both are published, live.
    from tests.integration.ocpi.helpers import connect_station

    await connect_station(gateway, "NEW-1")
    await report_status(
        gateway, "NEW-1", 1, 1, ConnectorStatus.AVAILABLE, ConnectorStatus.UNAVAILABLE
    )
    await report_status(gateway, "NEW-1", 2, 1, ConnectorStatus.AVAILABLE, None)
    answer = await gateway.call("GET", "/2.2.1/locations/LOC3", registered)
    assert [(e["uid"], e["status"]) for e in answer.data["evses"]] == [
        ("NEW-1-1", "AVAILABLE"),
        ("NEW-1-2", "AVAILABLE"),
    ]


async def test_removed_evses_stay_listed(gateway: Gateway, registered: str) -> None:
    await add_station_with_evses(gateway, "CP-9", evses=1)
    await import_locations(gateway.services, location_doc("LOC4"))
    await import_locations(gateway.services, location_doc("LOC5"))
    await link_station_to_location(gateway.services, "LOC4", "CP-9")
    # Moving the station leaves a REMOVED EVSE behind and gives it a new uid.
    await link_station_to_location(gateway.services, "LOC5", "CP-9")
    old = await gateway.call("GET", "/2.2.1/locations/LOC4", registered)
    new = await gateway.call("GET", "/2.2.1/locations/LOC5", registered)
    assert [(e["uid"], e["status"]) for e in old.data["evses"]] == [("CP-9-1", "REMOVED")]
    (moved,) = new.data["evses"]
    assert moved["uid"] != "CP-9-1"
    assert moved["status"] == "AVAILABLE"
    assert await unlink_station_from_location(gateway.services, "LOC5", "CP-9") == 1
    new = await gateway.call("GET", "/2.2.1/locations/LOC5", registered)
    assert [e["status"] for e in new.data["evses"]] == ["REMOVED"]
    # A re-import that leaves out a described EVSE keeps it, as REMOVED.
    await import_locations(gateway.services, location_doc("LOC6", evses=[evse_doc("X1")]))
    await import_locations(gateway.services, location_doc("LOC6", evses=[evse_doc("X2")]))
    again = await gateway.call("GET", "/2.2.1/locations/LOC6", registered)
    assert [(e["uid"], e["status"]) for e in again.data["evses"]] == [
        ("X2", "AVAILABLE"),
        ("X1", "REMOVED"),
    ]


async def test_offline_station_shows_unknown(gateway: Gateway, registered: str) -> None:
    await add_station_with_evses(gateway, "OFF-1", evses=1, connected=False)
    await import_locations(gateway.services, location_doc("LOC7"))
    await link_station_to_location(gateway.services, "LOC7", "OFF-1")
    answer = await gateway.call("GET", "/2.2.1/locations/LOC7/OFF-1-1", registered)
    assert answer.data["status"] == "UNKNOWN"


async def test_unknown_objects_are_2003_404(gateway: Gateway, registered: str) -> None:
    await import_locations(gateway.services, location_doc("LOC8", evses=[evse_doc("E1", "1")]))
    for path in (
        "/2.2.1/locations/NOPE",
        "/2.2.1/locations/LOC8/NOPE",
        "/2.2.1/locations/LOC8/E1/9",
    ):
        answer = await gateway.call("GET", path, registered)
        assert (answer.status, answer.code) == (404, 2003), path
        assert "data" not in answer.body


async def test_sender_interface_refuses_other_methods(gateway: Gateway, registered: str) -> None:
    answer = await gateway.call("PUT", "/2.2.1/locations/LOC1", registered, json={})
    assert (answer.status, answer.code) == (405, 2000)
    assert answer.headers["Allow"] == "GET"


async def test_bad_imports_change_nothing(gateway: Gateway, registered: str) -> None:
    cases = [
        (location_doc("L1", address="x" * 300), "address: longer than 255"),
        (location_doc("L1", city="x" * 46), "city: longer than 45"),
        (location_doc("L1", publish="yes"), "publish: expected a boolean"),
        ([location_doc("L1"), location_doc("L1")], "appears twice"),
        ([location_doc("L1"), {"id": "L2"}], "object 1:"),
        (location_doc("L1", coordinates={"latitude": "x", "longitude": "1"}), "coordinates"),
    ]
    for document, message in cases:
        with pytest.raises(DocumentError, match=message):
            await import_locations(gateway.services, document)
    with pytest.raises(DocumentError, match="not valid JSON"):
        await import_locations(gateway.services, b"{oops")
    listed = await gateway.call("GET", "/2.2.1/locations", registered)
    assert listed.data == []
    assert listed.headers["X-Total-Count"] == "0"


async def test_link_errors(gateway: Gateway) -> None:
    await import_locations(gateway.services, location_doc("LOC9"))
    await add_station_with_evses(gateway, "CP-X", evses=1)
    with pytest.raises(LinkError, match="unknown location"):
        await link_station_to_location(gateway.services, "NOPE", "CP-X")
    with pytest.raises(LinkError, match="unknown station"):
        await link_station_to_location(gateway.services, "LOC9", "NOPE")
    with pytest.raises(LinkError, match="unknown tariff"):
        await link_station_to_location(gateway.services, "LOC9", "CP-X", "NOPE")


async def test_ids_compare_case_insensitively(gateway: Gateway, registered: str) -> None:
    await import_locations(gateway.services, location_doc("Hamn-1"))
    again = await import_locations(gateway.services, location_doc("HAMN-1", name="Renamed"))
    assert again.updated == ("Hamn-1",)
    await import_tariffs(gateway.services, tariff_doc("Tx"))
    await add_station_with_evses(gateway, "CP-C", evses=1)
    await link_station_to_location(gateway.services, "hamn-1", "CP-C", "TX")
    answer = await gateway.call("GET", "/2.2.1/locations", registered)
    (location,) = answer.data
    assert (location["id"], location["name"]) == ("Hamn-1", "Renamed")
    assert location["evses"][0]["connectors"][0]["tariff_ids"] == ["Tx"]
