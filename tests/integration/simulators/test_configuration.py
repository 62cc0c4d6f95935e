"""Configuration (1.6) and the device model (2.0.1), trigger messages, local lists."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from .fake_csms import FakeCsms

STATION = "CP-1"


async def test_v16_get_configuration_known_and_unknown_keys(
    csms: FakeCsms, start_station: Any
) -> None:
    await start_station(version="1.6")
    answer = await csms.call(
        STATION, call16.GetConfiguration(key=["HeartbeatInterval", "NumberOfConnectors", "Nope"])
    )
    values = {e["key"]: (e["value"], e["readonly"]) for e in answer.configuration_key}
    assert values == {"HeartbeatInterval": ("60", False), "NumberOfConnectors": ("2", True)}
    assert answer.unknown_key == ["Nope"]

    everything = await csms.call(STATION, call16.GetConfiguration())
    keys = {e["key"] for e in everything.configuration_key}
    assert {
        "MeterValueSampleInterval",
        "MeterValuesSampledData",
        "AuthorizeRemoteTxRequests",
        "SupportedFeatureProfiles",
        "ChargeProfileMaxStackLevel",
    } <= keys


async def test_v16_change_configuration_takes_effect_and_validates(
    csms: FakeCsms, start_station: Any
) -> None:
    await start_station(version="1.6")

    async def change(key: str, value: str) -> str:
        answer = await csms.call(STATION, call16.ChangeConfiguration(key=key, value=value))
        return str(answer.status)

    assert await change("HeartbeatInterval", "1") == "Accepted"
    await csms.wait_for(lambda: len(csms.messages(STATION, "Heartbeat")) >= 2, timeout=10)
    assert await change("NumberOfConnectors", "4") == "Rejected"  # read-only
    assert await change("HeartbeatInterval", "soon") == "Rejected"  # not an integer
    assert await change("MeterValuesSampledData", "Voltage,Frequency") == "Rejected"
    assert await change("NoSuchKey", "1") == "NotSupported"
    assert await change("MeterValuesSampledData", "Energy.Active.Import.Register") == "Accepted"
    read = await csms.call(STATION, call16.GetConfiguration(key=["MeterValuesSampledData"]))
    assert read.configuration_key[0]["value"] == "Energy.Active.Import.Register"


async def test_v201_get_and_set_variables(csms: FakeCsms, start_station: Any) -> None:
    await start_station(version="2.0.1")
    heartbeat = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
    answer = await csms.call(
        STATION,
        call201.GetVariables(
            get_variable_data=[
                heartbeat,
                {
                    "component": {"name": "EVSE", "evse": {"id": 1}},
                    "variable": {"name": "AvailabilityState"},
                },
                {"component": {"name": "Nope"}, "variable": {"name": "X"}},
                {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "X"}},
            ]
        ),
    )
    results = [
        (r["attribute_status"], r.get("attribute_value")) for r in answer.get_variable_result
    ]
    assert results == [
        ("Accepted", "60"),
        ("Accepted", "Available"),
        ("UnknownComponent", None),
        ("UnknownVariable", None),
    ]

    answer = await csms.call(
        STATION,
        call201.SetVariables(
            set_variable_data=[
                {**heartbeat, "attribute_value": "1"},
                {
                    "component": {"name": "SecurityCtrlr"},
                    "variable": {"name": "Identity"},
                    "attribute_value": "x",
                },
                {
                    "component": {"name": "SampledDataCtrlr"},
                    "variable": {"name": "TxUpdatedMeasurands"},
                    "attribute_value": "Energy.Active.Import.Register,SoC",
                },
            ]
        ),
    )
    assert [r["attribute_status"] for r in answer.set_variable_result] == [
        "Accepted",
        "Rejected",
        "Accepted",
    ]
    await csms.wait_for(lambda: len(csms.messages(STATION, "Heartbeat")) >= 2, timeout=10)


async def test_v201_get_base_report_sends_notify_report_pages(
    csms: FakeCsms, start_station: Any
) -> None:
    await start_station(version="2.0.1")
    answer = await csms.call(
        STATION, call201.GetBaseReport(request_id=77, report_base="FullInventory")
    )
    assert answer.status == "Accepted"
    await csms.wait_for(
        lambda: any(not m.payload["tbc"] for m in csms.messages(STATION, "NotifyReport"))
    )
    pages = [m.payload for m in csms.messages(STATION, "NotifyReport")]
    assert [p["seqNo"] for p in pages] == list(range(len(pages)))
    assert all(p["requestId"] == 77 for p in pages)
    assert [p["tbc"] for p in pages] == [True] * (len(pages) - 1) + [False]
    items = {
        (d["component"]["name"], d["variable"]["name"]): d for p in pages for d in p["reportData"]
    }
    heartbeat = items[("OCPPCommCtrlr", "HeartbeatInterval")]
    assert heartbeat["variableAttribute"][0]["value"] == "60"
    assert heartbeat["variableCharacteristics"]["dataType"] == "integer"
    assert ("Connector", "AvailabilityState") in items

    summary = await csms.call(
        STATION, call201.GetBaseReport(request_id=78, report_base="SummaryInventory")
    )
    assert summary.status == "Accepted"
    await csms.wait_for(
        lambda: any(m.payload["requestId"] == 78 for m in csms.messages(STATION, "NotifyReport"))
    )
    names = {
        d["variable"]["name"]
        for m in csms.messages(STATION, "NotifyReport")
        if m.payload["requestId"] == 78
        for d in m.payload["reportData"]
    }
    assert names == {"AvailabilityState"}


async def test_v16_trigger_message(csms: FakeCsms, start_station: Any) -> None:
    await start_station(version="1.6")
    await csms.wait_for(lambda: len(csms.messages(STATION, "StatusNotification")) == 3)
    answer = await csms.call(
        STATION, call16.TriggerMessage(requested_message="StatusNotification", connector_id=2)
    )
    assert answer.status == "Accepted"
    await csms.wait_for(lambda: len(csms.messages(STATION, "StatusNotification")) == 4)
    assert csms.messages(STATION, "StatusNotification")[-1].payload["connectorId"] == 2

    answer = await csms.call(
        STATION, call16.TriggerMessage(requested_message="MeterValues", connector_id=1)
    )
    assert answer.status == "Accepted"
    await csms.wait_for(lambda: csms.messages(STATION, "MeterValues"))
    sample = csms.messages(STATION, "MeterValues")[0].payload["meterValue"][0]["sampledValue"][0]
    assert sample["context"] == "Trigger"

    for message in ("Heartbeat", "BootNotification", "DiagnosticsStatusNotification"):
        answer = await csms.call(STATION, call16.TriggerMessage(requested_message=message))
        assert answer.status == "Accepted"
    await csms.wait_for(lambda: csms.messages(STATION, "DiagnosticsStatusNotification"))
    assert csms.messages(STATION, "DiagnosticsStatusNotification")[0].payload == {"status": "Idle"}
    assert len(csms.messages(STATION, "BootNotification")) == 2
    bad = await csms.call(
        STATION, call16.TriggerMessage(requested_message="MeterValues", connector_id=7)
    )
    assert bad.status == "Rejected"


async def test_v201_trigger_message(csms: FakeCsms, start_station: Any) -> None:
    station, _ = await start_station(version="2.0.1")
    station.charging.start_session(1, duration=60)
    await csms.wait_for(lambda: csms.messages(STATION, "TransactionEvent"))
    answer = await csms.call(
        STATION, call201.TriggerMessage(requested_message="TransactionEvent", evse={"id": 1})
    )
    assert answer.status == "Accepted"
    await csms.wait_for(
        lambda: any(
            m.payload["triggerReason"] == "Trigger"
            for m in csms.messages(STATION, "TransactionEvent")
        )
    )
    # F06: a station already accepted refuses to boot again on request.
    boot = await csms.call(STATION, call201.TriggerMessage(requested_message="BootNotification"))
    assert boot.status == "Rejected"
    meter = await csms.call(
        STATION, call201.TriggerMessage(requested_message="MeterValues", evse={"id": 2})
    )
    assert meter.status == "Accepted"
    await csms.wait_for(lambda: csms.messages(STATION, "MeterValues"))
    assert csms.messages(STATION, "MeterValues")[0].payload["evseId"] == 2
    unsupported = await csms.call(
        STATION, call201.TriggerMessage(requested_message="SignChargingStationCertificate")
    )
    assert unsupported.status == "NotImplemented"


async def test_v16_local_list_and_cache(csms: FakeCsms, start_station: Any) -> None:
    await start_station(version="1.6")
    full = await csms.call(
        STATION,
        call16.SendLocalList(
            list_version=3,
            update_type="Full",
            local_authorization_list=[
                {"id_tag": "LOCAL1", "id_tag_info": {"status": "Accepted"}},
                {"id_tag": "LOCAL2", "id_tag_info": {"status": "Blocked"}},
            ],
        ),
    )
    assert full.status == "Accepted"
    version = await csms.call(STATION, call16.GetLocalListVersion())
    assert version.list_version == 3
    stale = await csms.call(
        STATION, call16.SendLocalList(list_version=2, update_type="Differential")
    )
    assert stale.status == "VersionMismatch"
    cleared = await csms.call(STATION, call16.ClearCache())
    assert cleared.status == "Accepted"


async def test_v201_local_list(csms: FakeCsms, start_station: Any) -> None:
    station, _ = await start_station(version="2.0.1")
    answer = await csms.call(
        STATION,
        call201.SendLocalList(
            version_number=5,
            update_type="Full",
            local_authorization_list=[
                {
                    "id_token": {"id_token": "LOCAL1", "type": "Central"},
                    "id_token_info": {"status": "Accepted"},
                }
            ],
        ),
    )
    assert answer.status == "Accepted"
    version = await csms.call(STATION, call201.GetLocalListVersion())
    assert version.version_number == 5
    assert station.charging.auth.lookup("LOCAL1") is not None


async def test_v16_clock_aligned_meter_values(csms: FakeCsms, start_station: Any) -> None:
    await start_station(version="1.6")
    answer = await csms.call(
        STATION, call16.ChangeConfiguration(key="ClockAlignedDataInterval", value="1")
    )
    assert answer.status == "Accepted"
    await csms.wait_for(lambda: len(csms.messages(STATION, "MeterValues")) >= 4)
    values = [m.payload for m in csms.messages(STATION, "MeterValues")]
    assert {v["connectorId"] for v in values} == {1, 2}
    assert all("transactionId" not in v for v in values)  # no transaction running
    samples = [s for v in values for mv in v["meterValue"] for s in mv["sampledValue"]]
    assert {s["context"] for s in samples} == {"Sample.Clock"}
    assert {s["measurand"] for s in samples} == {"Energy.Active.Import.Register"}


async def test_v201_clock_aligned_values_join_the_transaction(
    csms: FakeCsms, start_station: Any
) -> None:
    station, _ = await start_station(version="2.0.1", evses=1, meter_sample_interval=0)
    station.charging.start_session(1, duration=60)
    await csms.wait_for(lambda: csms.messages(STATION, "TransactionEvent"))
    answer = await csms.call(
        STATION,
        call201.SetVariables(
            set_variable_data=[
                {
                    "component": {"name": "AlignedDataCtrlr"},
                    "variable": {"name": "Interval"},
                    "attribute_value": "1",
                }
            ]
        ),
    )
    assert answer.set_variable_result[0]["attribute_status"] == "Accepted"
    await csms.wait_for(
        lambda: any(
            m.payload["triggerReason"] == "MeterValueClock"
            for m in csms.messages(STATION, "TransactionEvent")
        )
    )
    # With periodic sampling off, only the clock drives the updates.
    triggers = {m.payload["triggerReason"] for m in csms.messages(STATION, "TransactionEvent")}
    assert triggers <= {"Authorized", "MeterValueClock", "ChargingStateChanged"}


async def test_v16_schema_errors_are_answered_in_1_6_vocabulary(
    csms: FakeCsms, start_station: Any
) -> None:
    await start_station(version="1.6")
    frame = [
        2,
        "bad-1",
        "ChangeConfiguration",
        {"key": "HeartbeatInterval", "value": "9", "unexpected": True},
    ]
    answer = await csms.send_raw(STATION, frame)
    assert answer[:3] == [4, "bad-1", "FormationViolation"]
    unknown = await csms.send_raw(STATION, [2, "bad-2", "NoSuchAction", {}])
    assert unknown[:3] == [4, "bad-2", "NotSupported"]


async def test_v201_schema_errors_and_unsupported_actions(
    csms: FakeCsms, start_station: Any
) -> None:
    await start_station(version="2.0.1")
    frame = [2, "bad-1", "GetVariables", {"getVariableData": [], "unexpected": 1}]
    answer = await csms.send_raw(STATION, frame)
    assert answer[:2] == [4, "bad-1"]
    assert answer[2] in ("FormatViolation", "OccurrenceConstraintViolation")
    unsupported = await csms.send_raw(STATION, [2, "bad-2", "ClearDisplayMessage", {"id": 1}])
    assert unsupported[:3] == [4, "bad-2", "NotImplemented"]


async def test_v201_get_report_by_component(csms: FakeCsms, start_station: Any) -> None:
    await start_station(version="2.0.1")
    answer = await csms.call(
        STATION,
        call201.GetReport(
            request_id=9,
            component_variable=[{"component": {"name": "EVSE", "evse": {"id": 2}}}],
        ),
    )
    assert answer.status == "Accepted"
    await csms.wait_for(lambda: csms.messages(STATION, "NotifyReport"))
    data = [d for m in csms.messages(STATION, "NotifyReport") for d in m.payload["reportData"]]
    assert {d["component"]["evse"]["id"] for d in data} == {2}
    assert {d["variable"]["name"] for d in data} == {"AvailabilityState", "Power", "SupplyPhases"}
    empty = await csms.call(
        STATION, call201.GetReport(request_id=10, component_variable=[{"component": {"name": "X"}}])
    )
    assert empty.status == "EmptyResultSet"
