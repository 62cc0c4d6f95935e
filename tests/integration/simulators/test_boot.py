"""Boot, status and heartbeat, for both OCPP versions, against a CSMS on a real socket."""

from __future__ import annotations

from typing import Any

import pytest

from .fake_csms import FakeCsms

STATION = "CP-1"


async def test_v16_boot_then_status_for_station_and_every_connector(
    csms: FakeCsms, start_station: Any
) -> None:
    _station, recorder = await start_station(version="1.6", evses=2)
    await csms.wait_for(lambda: len(csms.messages(STATION, "StatusNotification")) == 3)

    actions = [m.action for m in csms.messages(STATION)]
    assert actions[:4] == ["BootNotification"] + ["StatusNotification"] * 3
    boot = csms.messages(STATION, "BootNotification")[0].payload
    assert boot["chargePointVendor"] == "Laddpunkt"
    assert boot["chargePointSerialNumber"] == "SN-CP-1"
    statuses = [m.payload for m in csms.messages(STATION, "StatusNotification")]
    assert [(s["connectorId"], s["status"]) for s in statuses] == [
        (0, "Available"),
        (1, "Available"),
        (2, "Available"),
    ]
    assert all(s["timestamp"].endswith("Z") for s in statuses)
    assert recorder.kinds()[:2] == ["connected", "booted"]


async def test_v201_boot_reports_reason_and_each_connector(
    csms: FakeCsms, start_station: Any
) -> None:
    await start_station(version="2.0.1", evses=2, connectors_per_evse=2)
    await csms.wait_for(lambda: len(csms.messages(STATION, "StatusNotification")) == 4)

    boot = csms.messages(STATION, "BootNotification")[0].payload
    assert boot["reason"] == "PowerUp"
    assert boot["chargingStation"]["vendorName"] == "Laddpunkt"
    places = [
        (m.payload["evseId"], m.payload["connectorId"], m.payload["connectorStatus"])
        for m in csms.messages(STATION, "StatusNotification")
    ]
    assert places == [
        (1, 1, "Available"),
        (1, 2, "Available"),
        (2, 1, "Available"),
        (2, 2, "Available"),
    ]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_pending_boot_is_retried_after_the_given_interval(
    csms: FakeCsms, start_station: Any, version: str
) -> None:
    csms.boot_statuses = ["Pending", "Rejected", "Accepted"]
    csms.boot_interval = 1
    station, recorder = await start_station(version=version)
    await csms.wait_for(lambda: csms.messages(STATION, "StatusNotification"))

    actions = [m.action for m in csms.messages(STATION)]
    # Nothing but BootNotification until the CSMS accepts (1.6 §4.2, 2.0.1 B02/B03).
    assert actions[:3] == ["BootNotification"] * 3
    assert actions[3] == "StatusNotification"
    assert [e.data["status"] for e in recorder.events if e.kind == "boot_refused"] == [
        "Pending",
        "Rejected",
    ]
    assert station.boot_status == "Accepted"


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_heartbeats_follow_the_interval_the_csms_gives(
    csms: FakeCsms, start_station: Any, version: str
) -> None:
    csms.heartbeat_interval = 1
    await start_station(version=version)
    # With the default of 300 s no heartbeat would come within the test's time.
    await csms.wait_for(lambda: len(csms.messages(STATION, "Heartbeat")) >= 2, timeout=10)
