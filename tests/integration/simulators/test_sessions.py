"""Charging sessions: spontaneous arrivals, transactions and rising meter values."""

from __future__ import annotations

from typing import Any

import pytest

from simulators.chargepoint import StopReason

from .fake_csms import FakeCsms
from .helpers import event_types, sampled, statuses_v16, tx_events, v16_meter_values

STATION = "CP-1"


async def test_v16_spontaneous_session_start_meter_values_stop(
    csms: FakeCsms, start_station: Any
) -> None:
    # About one arrival per second: the Poisson process starts the session on its own.
    await start_station(
        version="1.6", evses=1, sessions_per_hour=3600.0, session_duration=(3.5, 3.5)
    )
    await csms.wait_for(lambda: csms.messages(STATION, "StopTransaction"), timeout=20)

    start = csms.messages(STATION, "StartTransaction")[0].payload
    stop = csms.messages(STATION, "StopTransaction")[0].payload
    tx_id = stop["transactionId"]
    values = [
        m.payload
        for m in csms.messages(STATION, "MeterValues")
        if m.payload.get("transactionId") == tx_id
    ]
    assert len(values) >= 2
    energy = sampled([v for p in values for v in p["meterValue"]], "Energy.Active.Import.Register")
    assert energy == sorted(energy)
    assert energy[-1] > energy[0]
    assert start["meterStart"] <= energy[0]
    assert stop["meterStop"] >= int(energy[-1])
    assert stop["reason"] in ("Local", "EVDisconnected")
    assert start["idTag"] in {m.payload["idTag"] for m in csms.messages(STATION, "Authorize")}
    # Current per phase and phase voltages come along (MeterValuesSampledData).
    phases = {s.get("phase") for p in values for v in p["meterValue"] for s in v["sampledValue"]}
    assert {"L1", "L2", "L3", "L1-N", "L2-N", "L3-N"} <= phases
    # The status after the stop follows the StopTransaction: wait for it too.
    await csms.wait_for(lambda: len(statuses_v16(csms, STATION, 1)) >= 4, timeout=10)
    statuses = statuses_v16(csms, STATION, 1)
    assert statuses[:3] == ["Available", "Preparing", "Charging"]
    # A cable pulled goes straight to Available (C1); a card swipe through Finishing (C6).
    assert statuses[3] == ("Available" if stop["reason"] == "EVDisconnected" else "Finishing")


async def test_v16_status_sequence_of_a_locally_stopped_session(
    csms: FakeCsms, start_station: Any
) -> None:
    station, _ = await start_station(version="1.6", evses=1)
    assert station.charging.start_session(1, duration=1.5, ending=StopReason.LOCAL)
    await csms.wait_for(
        lambda: (
            statuses_v16(csms, STATION, 1)[-1:] == ["Available"]
            and len(statuses_v16(csms, STATION, 1)) > 1
        )
    )

    assert statuses_v16(csms, STATION, 1) == [
        "Available",
        "Preparing",
        "Charging",
        "Finishing",
        "Available",
    ]
    actions = [m.action for m in csms.messages(STATION) if m.action != "MeterValues"]
    assert actions[3:] == [
        "StatusNotification",  # Preparing
        "Authorize",
        "StartTransaction",
        "StatusNotification",  # Charging
        "StopTransaction",
        "StatusNotification",  # Finishing
        "StatusNotification",  # Available
    ]


async def test_v16_decimal_precision_is_kept_in_meter_values(
    csms: FakeCsms, start_station: Any
) -> None:
    station, _ = await start_station(version="1.6", evses=1)
    station.charging.start_session(1, duration=2.5)
    await csms.wait_for(lambda: csms.messages(STATION, "StopTransaction"))
    energy = [
        s["value"]
        for v in v16_meter_values(csms, STATION)
        for s in v["sampledValue"]
        if s["measurand"] == "Energy.Active.Import.Register"
    ]
    # PITFALLS: the library would round a Decimal to one place; we send two.
    assert all(len(value.split(".")[1]) == 2 for value in energy)


async def test_v201_session_events_started_updated_ended_with_consecutive_seq_no(
    csms: FakeCsms, start_station: Any
) -> None:
    await start_station(
        version="2.0.1", evses=1, sessions_per_hour=3600.0, session_duration=(3.5, 3.5)
    )
    await csms.wait_for(lambda: "Ended" in event_types(csms, STATION), timeout=20)

    events = tx_events(csms, STATION)
    assert events[0]["eventType"] == "Started"
    assert events[-1]["eventType"] == "Ended"
    assert set(event_types(csms, STATION)[1:-1]) == {"Updated"}
    assert [e["seqNo"] for e in events] == list(range(len(events)))
    assert len({e["transactionInfo"]["transactionId"] for e in events}) == 1
    assert events[0]["triggerReason"] == "Authorized"
    assert events[0]["evse"] == {"id": 1, "connectorId": 1}
    energy = sampled(
        [v for e in events for v in e.get("meterValue", [])], "Energy.Active.Import.Register"
    )
    assert energy == sorted(energy)
    assert energy[-1] > energy[0]
    soc = sampled([v for e in events for v in e.get("meterValue", [])], "SoC")
    assert soc
    assert all(0 <= s <= 100 for s in soc)
    assert events[-1]["transactionInfo"]["stoppedReason"] in ("Local", "EVDisconnected")
    assert not any(e.get("offline") for e in events)


async def test_v201_decimal_energy_keeps_two_places(csms: FakeCsms, start_station: Any) -> None:
    station, _ = await start_station(version="2.0.1", evses=1)
    station.charging.start_session(1, duration=2.5)
    await csms.wait_for(lambda: "Ended" in event_types(csms, STATION))
    energy = sampled(
        [v for e in tx_events(csms, STATION) for v in e.get("meterValue", [])],
        "Energy.Active.Import.Register",
    )
    # At least one register value has a second decimal digit the library would have lost.
    assert any(round(value, 1) != value for value in energy)


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_rejected_tag_starts_no_transaction(
    csms: FakeCsms, start_station: Any, version: str
) -> None:
    csms.invalid_tags = {"BADCARD"}
    station, recorder = await start_station(version=version, evses=1)
    station.charging.start_session(1, id_tag="BADCARD", duration=2.0)
    await csms.wait_for(lambda: csms.messages(STATION, "Authorize"))
    await csms.wait_for(lambda: station.charging.evses[0].idle)
    assert not csms.messages(STATION, "StartTransaction")
    assert not csms.messages(STATION, "TransactionEvent")
    assert "transaction_started" not in recorder.kinds()


async def test_v16_without_stop_on_ev_disconnect_the_driver_stops_with_the_card(
    csms: FakeCsms, start_station: Any
) -> None:
    from ocpp.v16 import call as call16

    station, _ = await start_station(version="1.6", evses=1)
    answer = await csms.call(
        STATION,
        call16.ChangeConfiguration(key="StopTransactionOnEVSideDisconnect", value="false"),
    )
    assert answer.status == "Accepted"
    station.charging.start_session(1, duration=1.0, ending=StopReason.EV_DISCONNECTED)
    await csms.wait_for(lambda: csms.messages(STATION, "StopTransaction"))
    assert csms.messages(STATION, "StopTransaction")[0].payload["reason"] == "Local"
