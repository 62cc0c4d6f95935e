"""ChargingProfiles Receiver interface on a whole node: the eMSP sets, reads and clears the
profile of its session on a test charger (1.6 and 2.0.1); results come to response_url."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from cli.node import Node
from tests.integration.commands.charger import Charger, Reply, connected_charger
from tests.integration.ocpi.fake_partner import FakePartner
from tests.integration.ocpi_receivers.node_setup import (
    RESULT_PATH,
    Site,
    db_settings,
    node,
    publish,
    register_partner,
    wait_for_post,
)
from tests.integration.ocpi_receivers.test_commands import (
    _charger_starts,
    _session_id,
    accepted,
    start_body,
)

__all__ = ["db_settings", "node"]

STATION = "CP-OCPI-2"
PROFILE = {
    "charging_rate_unit": "W",
    "charging_profile_period": [
        {"start_period": 0, "limit": 11000},
        {"start_period": 1800, "limit": 3700.5},
    ],
}
COMPOSITE: dict[str, dict[str, Any]] = {
    "1.6": {
        "status": "Accepted",
        "connectorId": 1,
        "scheduleStart": "2024-03-01T08:00:00Z",
        "chargingSchedule": {
            "duration": 3600,
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000.0}],
        },
    },
    "2.0.1": {
        "status": "Accepted",
        "schedule": {
            "evseId": 1,
            "duration": 3600,
            "scheduleStart": "2024-03-01T08:00:00Z",
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000.0}],
        },
    },
}


@pytest.fixture
async def site(node: Node) -> AsyncIterator[Site]:
    partner = FakePartner()
    await partner.start()
    try:
        yield await register_partner(node, partner)
    finally:
        await partner.stop()


async def _next(charger: Charger, *actions: str) -> dict[str, Any]:
    call = await charger.next_call()
    while call.action not in actions:
        call = await charger.next_call()
    assert call.violation is None, call.violation
    return call.payload


async def _started_session(node: Node, site: Site, charger: Charger, version: str) -> str:
    evse_uid = await publish(node, charger, STATION)
    accepted(await site.call("POST", "/commands/START_SESSION", start_body(site, evse_uid)))
    request = await _next(charger, "RemoteStartTransaction", "RequestStartTransaction")
    await _charger_starts(charger, version, request)
    return await _session_id(node)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_set_get_and_clear(node: Node, site: Site, version: str) -> None:
    async with connected_charger(node.ocpp_port, STATION, version) as charger:
        session_id = await _started_session(node, site, charger, version)
        await wait_for_post(site.partner, RESULT_PATH)  # the START_SESSION result
        body = {"charging_profile": PROFILE, "response_url": site.response_url}
        accepted(await site.call("PUT", f"/chargingprofiles/{session_id}", body))
        sent = await _next(charger, "SetChargingProfile")
        profile = sent.get("csChargingProfiles") or sent["chargingProfile"]
        assert profile["chargingProfilePurpose"] == "TxProfile"
        schedule = profile["chargingSchedule"]
        schedule = schedule[0] if isinstance(schedule, list) else schedule
        limits = [p["limit"] for p in schedule["chargingSchedulePeriod"]]
        assert limits == [11000, 3700.5]
        posts = await wait_for_post(site.partner, RESULT_PATH, 2)
        assert posts[1].body == {"result": "ACCEPTED"}

        charger.answers["GetCompositeSchedule"] = Reply(COMPOSITE[version])
        query = f"?duration=3600&response_url={site.response_url}"
        accepted(await site.call("GET", f"/chargingprofiles/{session_id}{query}"))
        asked = await _next(charger, "GetCompositeSchedule")
        assert asked["duration"] == 3600
        posts = await wait_for_post(site.partner, RESULT_PATH, 3)
        assert posts[2].body == {
            "result": "ACCEPTED",
            "profile": {
                "start_date_time": "2024-03-01T08:00:00Z",
                "charging_profile": {
                    "start_date_time": "2024-03-01T08:00:00Z",
                    "duration": 3600,
                    "charging_rate_unit": "W",
                    "charging_profile_period": [{"start_period": 0, "limit": 11000.0}],
                },
            },
        }

        charger.answers["ClearChargingProfile"] = Reply({"status": "Unknown"})
        query = f"?response_url={site.response_url}"
        accepted(await site.call("DELETE", f"/chargingprofiles/{session_id}{query}"))
        cleared = await _next(charger, "ClearChargingProfile")
        assert cleared != {}
        posts = await wait_for_post(site.partner, RESULT_PATH, 4)
        assert posts[3].body == {"result": "REJECTED"}


async def test_refusals_and_bad_input(node: Node, site: Site) -> None:
    url = site.response_url
    unknown = await site.call(
        "PUT", "/chargingprofiles/12345", {"charging_profile": PROFILE, "response_url": url}
    )
    assert (unknown.code, unknown.data["result"]) == (1000, "UNKNOWN_SESSION"), unknown.body
    for query in ("?duration=0&response_url=" + url, "?duration=60", "?duration=x"):
        bad = await site.call("GET", f"/chargingprofiles/1{query}")
        assert (bad.status, bad.code) == (200, 2001), (query, bad.body)
    no_url = await site.call("DELETE", "/chargingprofiles/1")
    assert no_url.code == 2001, no_url.body
    wrong = {"charging_profile": {"charging_rate_unit": "kW"}, "response_url": url}
    refused = await site.call("PUT", "/chargingprofiles/1", wrong)
    assert refused.code == 2001, refused.body
    malformed = await site.call("PUT", "/chargingprofiles/1", data=b"[")
    assert (malformed.status, malformed.code) == (400, 2001), malformed.body
    assert not [r for r in site.partner.requests if r.path.endswith(RESULT_PATH)]
