"""Charging profiles change what the meter reports (load management made visible)."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from .fake_csms import FakeCsms
from .helpers import sampled, tx_events, v16_meter_values

STATION = "CP-1"
LIMIT_W = 4500.0  # above the 6 A minimum on three phases, below any simulated EV's rate


async def test_v16_tx_default_profile_lowers_the_reported_power(
    csms: FakeCsms, start_station: Any
) -> None:
    station, _ = await start_station(version="1.6", evses=1)
    station.charging.start_session(1, duration=60)
    await csms.wait_for(lambda: len(v16_meter_values(csms, STATION)) >= 1)
    before = sampled(v16_meter_values(csms, STATION), "Power.Active.Import")[-1]

    answer = await csms.call(
        STATION,
        call16.SetChargingProfile(
            connector_id=1,
            cs_charging_profiles={
                "charging_profile_id": 1,
                "stack_level": 0,
                "charging_profile_purpose": "TxDefaultProfile",
                "charging_profile_kind": "Relative",
                "charging_schedule": {
                    "charging_rate_unit": "W",
                    "charging_schedule_period": [{"start_period": 0, "limit": LIMIT_W}],
                },
            },
        ),
    )
    assert answer.status == "Accepted"
    seen = len(v16_meter_values(csms, STATION))
    await csms.wait_for(lambda: len(v16_meter_values(csms, STATION)) >= seen + 2)
    after = sampled(v16_meter_values(csms, STATION), "Power.Active.Import")[-1]
    assert before > LIMIT_W
    assert 0 < after <= LIMIT_W

    composite = await csms.call(
        STATION,
        call16.GetCompositeSchedule(connector_id=1, duration=600, charging_rate_unit="W"),
    )
    assert composite.status == "Accepted"
    periods = composite.charging_schedule["charging_schedule_period"]
    assert [float(p["limit"]) for p in periods] == [LIMIT_W]

    cleared = await csms.call(STATION, call16.ClearChargingProfile(id=1))
    assert cleared.status == "Accepted"
    seen = len(v16_meter_values(csms, STATION))
    await csms.wait_for(lambda: len(v16_meter_values(csms, STATION)) >= seen + 2)
    assert sampled(v16_meter_values(csms, STATION), "Power.Active.Import")[-1] > LIMIT_W
    again = await csms.call(STATION, call16.ClearChargingProfile(id=1))
    assert again.status == "Unknown"


async def test_v16_tx_profile_without_a_transaction_is_rejected(
    csms: FakeCsms, start_station: Any
) -> None:
    await start_station(version="1.6")
    answer = await csms.call(
        STATION,
        call16.SetChargingProfile(
            connector_id=1,
            cs_charging_profiles={
                "charging_profile_id": 2,
                "stack_level": 1,
                "charging_profile_purpose": "TxProfile",
                "charging_profile_kind": "Relative",
                "charging_schedule": {
                    "charging_rate_unit": "A",
                    "charging_schedule_period": [{"start_period": 0, "limit": 10.0}],
                },
            },
        ),
    )
    assert answer.status == "Rejected"


async def test_v201_tx_profile_in_amps_caps_each_phase(csms: FakeCsms, start_station: Any) -> None:
    station, _ = await start_station(version="2.0.1", evses=1)
    station.charging.start_session(1, duration=60)
    await csms.wait_for(lambda: len(tx_events(csms, STATION)) >= 2)
    tx_id = tx_events(csms, STATION)[0]["transactionInfo"]["transactionId"]

    def currents() -> list[float]:
        values = [v for e in tx_events(csms, STATION) for v in e.get("meterValue", [])]
        return sampled(values, "Current.Import", "L1")

    assert currents()[-1] > 10.0
    answer = await csms.call(
        STATION,
        call201.SetChargingProfile(
            evse_id=1,
            charging_profile={
                "id": 9,
                "stack_level": 2,
                "charging_profile_purpose": "TxProfile",
                "charging_profile_kind": "Relative",
                "transaction_id": tx_id,
                "charging_schedule": [
                    {
                        "id": 1,
                        "charging_rate_unit": "A",
                        "charging_schedule_period": [{"start_period": 0, "limit": 10.0}],
                    }
                ],
            },
        ),
    )
    assert answer.status == "Accepted"
    seen = len(tx_events(csms, STATION))
    await csms.wait_for(lambda: len(tx_events(csms, STATION)) >= seen + 2)
    assert 0 < currents()[-1] <= 10.0

    report = await csms.call(
        STATION,
        call201.GetChargingProfiles(request_id=3, charging_profile={"stack_level": 2}),
    )
    assert report.status == "Accepted"
    await csms.wait_for(lambda: csms.messages(STATION, "ReportChargingProfiles"))
    reported = csms.messages(STATION, "ReportChargingProfiles")[0].payload
    assert reported["chargingProfile"][0]["id"] == 9
    assert reported["evseId"] == 1

    composite = await csms.call(
        STATION, call201.GetCompositeSchedule(duration=300, evse_id=1, charging_rate_unit="A")
    )
    assert composite.status == "Accepted"
    assert composite.schedule["charging_schedule_period"][0]["limit"] == 10.0


async def test_v201_station_maximum_is_shared_between_charging_evses(
    csms: FakeCsms, start_station: Any
) -> None:
    station, _ = await start_station(version="2.0.1", evses=2)
    answer = await csms.call(
        STATION,
        call201.SetChargingProfile(
            evse_id=0,
            charging_profile={
                "id": 1,
                "stack_level": 0,
                "charging_profile_purpose": "ChargingStationMaxProfile",
                "charging_profile_kind": "Absolute",
                "charging_schedule": [
                    {
                        "id": 1,
                        "charging_rate_unit": "W",
                        "charging_schedule_period": [{"start_period": 0, "limit": 2 * LIMIT_W}],
                    }
                ],
            },
        ),
    )
    assert answer.status == "Accepted"
    station.charging.start_session(1, duration=60)
    station.charging.start_session(2, duration=60)
    await csms.wait_for(lambda: len(tx_events(csms, STATION)) >= 8)
    for evse in station.charging.evses:
        assert 0 < evse.meter.read(station.charging.now()).power_w <= LIMIT_W
    wrong = await csms.call(
        STATION,
        call201.SetChargingProfile(
            evse_id=1,
            charging_profile={
                "id": 2,
                "stack_level": 0,
                "charging_profile_purpose": "ChargingStationMaxProfile",
                "charging_profile_kind": "Absolute",
                "charging_schedule": [
                    {
                        "id": 1,
                        "charging_rate_unit": "W",
                        "charging_schedule_period": [{"start_period": 0, "limit": 1000.0}],
                    }
                ],
            },
        ),
    )
    assert wrong.status == "Rejected"  # a station maximum belongs on EVSE 0


async def test_v201_clear_charging_profile_by_criteria(csms: FakeCsms, start_station: Any) -> None:
    await start_station(version="2.0.1")
    profile = {
        "id": 21,
        "stack_level": 1,
        "charging_profile_purpose": "TxDefaultProfile",
        "charging_profile_kind": "Absolute",
        "charging_schedule": [
            {
                "id": 1,
                "start_schedule": "2025-01-01T00:00:00Z",
                "charging_rate_unit": "W",
                "charging_schedule_period": [{"start_period": 0, "limit": 7000.0}],
            }
        ],
    }
    answer = await csms.call(
        STATION, call201.SetChargingProfile(evse_id=2, charging_profile=profile)
    )
    assert answer.status == "Accepted"
    none = await csms.call(
        STATION,
        call201.ClearChargingProfile(charging_profile_criteria={"evse_id": 1}),
    )
    assert none.status == "Unknown"
    cleared = await csms.call(
        STATION,
        call201.ClearChargingProfile(
            charging_profile_criteria={"evse_id": 2, "charging_profile_purpose": "TxDefaultProfile"}
        ),
    )
    assert cleared.status == "Accepted"
    report = await csms.call(
        STATION, call201.GetChargingProfiles(request_id=1, charging_profile={})
    )
    assert report.status == "NoProfiles"
