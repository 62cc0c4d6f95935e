"""A remote charge driven by the simulated eMSP through a whole node and a test charger on
real sockets: START_SESSION, the session pushed, a charging profile set, read and cleared,
STOP_SESSION, the CDR pushed — with the simulator checking everything it receives."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from cli.node import Node
from ocpi_gateway.partners import invite_partner
from simulators.emsp import EmspOptions, EmspSimulator
from tests.integration.commands.charger import Charger, Received, Reply, connected_charger
from tests.integration.ocpi_receivers.node_setup import publish

STATION = "ROAM-1"
TOKEN = "ROAMTOKEN0001"
#: Problems found in other parts of the CPO (reported); anything else fails the test.
KNOWN = ("has more than 4 decimals",)


async def _call(charger: Charger, *actions: str) -> Received:
    """The next CALL of one of `actions` the CSMS sent (others are answered and skipped)."""
    for _ in range(50):  # bounded: the CSMS sends a handful of calls at most
        call = await charger.next_call()
        if call.action in actions:
            assert call.violation is None, call.violation
            return call
    raise AssertionError(f"no {actions} from the CSMS")


@pytest.fixture
async def emsp(node: Node) -> AsyncIterator[EmspSimulator]:
    invitation = await invite_partner(node.ocpi, "Simulated eMSP")
    async with EmspSimulator(EmspOptions(country_code="NL", party_id="SIM")) as sim:
        await sim.register(invitation.versions_url, invitation.token_a)
        sim.add_token(TOKEN)
        assert (await sim.push_token(TOKEN)).ok
        yield sim


async def _transaction(charger: Charger, request: dict[str, Any]) -> int:
    answer = await charger.call(
        "StartTransaction",
        {
            "connectorId": 1,
            "idTag": request["idTag"],
            "meterStart": 1000,
            "timestamp": "2024-03-01T08:00:00Z",
        },
    )
    assert answer[0] == 3, answer
    assert answer[2]["idTagInfo"]["status"] == "Accepted"
    return int(answer[2]["transactionId"])


async def test_remote_charge_with_a_charging_profile(node: Node, emsp: EmspSimulator) -> None:
    async with connected_charger(node.ocpp_port, STATION, "1.6") as charger:
        evse_uid = await publish(node, charger, STATION)
        start = await emsp.start_session("LOC1", evse_uid, "1", token_uid=TOKEN)
        assert start.accepted, start.response
        remote = await _call(charger, "RemoteStartTransaction")
        assert (await start.result(within=20)) == {"result": "ACCEPTED"}
        transaction_id = await _transaction(charger, remote.payload)
        session = await emsp.wait_for_session(status="ACTIVE", within=20)

        profile = await emsp.set_charging_profile(session["id"], limit=7400.0)
        assert profile.accepted, profile.response
        installed = await _call(charger, "SetChargingProfile")
        schedule = installed.payload["csChargingProfiles"]["chargingSchedule"]
        assert schedule["chargingSchedulePeriod"][0]["limit"] == 7400.0
        assert (await profile.result(within=20))["result"] == "ACCEPTED"

        charger.answers["GetCompositeSchedule"] = Reply(
            {
                "status": "Accepted",
                "connectorId": 1,
                "scheduleStart": "2024-03-01T08:00:00Z",
                "chargingSchedule": {
                    "chargingRateUnit": "W",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400.0}],
                },
            }
        )
        active = await emsp.get_active_charging_profile(session["id"], duration=900)
        assert active.accepted, active.response
        await _call(charger, "GetCompositeSchedule")
        result = await active.result(within=20)
        assert result["result"] == "ACCEPTED"
        periods = result["profile"]["charging_profile"]["charging_profile_period"]
        assert periods[0]["limit"] == 7400

        cleared = await emsp.clear_charging_profile(session["id"])
        assert cleared.accepted, cleared.response
        await _call(charger, "ClearChargingProfile")
        assert (await cleared.result(within=20))["result"] == "ACCEPTED"

        stop = await emsp.stop_session(session["id"])
        assert stop.accepted, stop.response
        await _call(charger, "RemoteStopTransaction")
        answer = await charger.call(
            "StopTransaction",
            {
                "transactionId": transaction_id,
                "meterStop": 4000,
                "timestamp": "2024-03-01T08:30:00Z",
                "reason": "Remote",
            },
        )
        assert answer[0] == 3, answer
        assert (await stop.result(within=20))["result"] == "ACCEPTED"
        cdr = await emsp.wait_for_cdr(session["id"], within=40)
        completed = await emsp.wait_for_session("COMPLETED", session["id"], within=20)
    assert completed["kwh"] == 3
    assert cdr["cdr_token"]["uid"] == TOKEN
    assert cdr["total_energy"] == 3
    unknown = [p for p in emsp.problems if not any(k in p for k in KNOWN)]
    assert unknown == []
