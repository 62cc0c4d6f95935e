"""Pushes through a whole node: the simulated eMSP registers with a Token A, the operator
publishes a charger's EVSE, and the charger's StatusNotification reaches the eMSP as an
EVSE PATCH built by the real mapping (both OCPP versions, SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from cli.node import Node
from ocpi_gateway.partners import invite_partner
from ocpi_gateway.v221.operator import import_locations, link_station_to_location
from simulators.emsp import EmspOptions, EmspSimulator
from tests.integration.commands.charger import Charger, connected_charger
from tests.integration.ocpi.helpers import evse_doc, location_doc


async def _status(charger: Charger, status: str) -> None:
    if charger.version == "1.6":
        payload: dict[str, Any] = {"connectorId": 1, "errorCode": "NoError", "status": status}
    else:
        payload = {
            "timestamp": "2024-03-01T08:00:00Z",
            "connectorStatus": {"Charging": "Occupied"}.get(status, status),
            "evseId": 1,
            "connectorId": 1,
        }
    answer = await charger.call("StatusNotification", payload)
    assert answer[0] == 3, answer


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_status_notification_reaches_the_emsp(node: Node, version: str) -> None:
    invitation = await invite_partner(node.ocpi, "Simulated eMSP")
    async with EmspSimulator(EmspOptions(country_code="NL", party_id="SIM")) as sim:
        await sim.register(invitation.versions_url, invitation.token_a)
        station_id = f"PUSH-{version}"
        async with connected_charger(node.ocpp_port, station_id, version) as charger:
            await _status(charger, "Available")
            await import_locations(node.ocpi, location_doc("LOC1", evses=[evse_doc("E-1")]))
            await link_station_to_location(node.ocpi, "LOC1", station_id)
            # Publishing is a location change: the partner gets the whole Location.
            await sim.wait_for(lambda e: e.module == "locations" and e.method == "PUT", 10)
            uid = sim.store.location("LOC1")["evses"][0]["uid"]  # type: ignore[index]
            assert sim.evse_status(uid) == "AVAILABLE"

            since = sim.log.last_seq
            await _status(charger, "Charging")
            event = await sim.wait_for_evse_status(uid, "CHARGING", within=10, since=since)
        assert event.method == "PATCH"
        assert set(event.body) == {"status", "last_updated"}
        assert sim.problems == []
