"""One device model, two views: 1.6 keys and 2.0.1 component/variable."""

from __future__ import annotations

from simulators.chargepoint.catalogue import build_device_model
from simulators.chargepoint.config import StationConfig
from simulators.chargepoint.device_model import SetResult, VariableKey
from simulators.chargepoint.keys import K_HEARTBEAT, K_SAMPLED_MEASURANDS


def model(version: str = "1.6"):  # type: ignore[no-untyped-def]
    return build_device_model(
        StationConfig(station_id="CP-1", url="ws://127.0.0.1:1/ocpp", version=version)  # type: ignore[arg-type]
    )


def test_a_1_6_change_is_seen_through_2_0_1_and_back() -> None:
    dm = model()
    assert dm.set_v16("HeartbeatInterval", "120") is SetResult.ACCEPTED
    assert dm.integer(K_HEARTBEAT) == 120
    assert dm.set(K_HEARTBEAT, "90") is SetResult.ACCEPTED
    setting = dm.find_v16("HeartbeatInterval")
    assert setting is not None
    assert setting.current() == "90"


def test_values_are_validated_by_type_and_limits() -> None:
    dm = model()
    assert dm.set_v16("HeartbeatInterval", "0") is SetResult.REJECTED  # below the minimum
    assert dm.set_v16("HeartbeatInterval", "ten") is SetResult.REJECTED
    assert dm.set_v16("LocalPreAuthorize", "TRUE") is SetResult.ACCEPTED
    assert dm.boolean_v16("LocalPreAuthorize") is True
    assert dm.set_v16("LocalPreAuthorize", "yes") is SetResult.REJECTED
    assert dm.set_v16("MeterValuesSampledData", "Voltage, SoC") is SetResult.ACCEPTED
    assert dm.members(K_SAMPLED_MEASURANDS) == ("Voltage", "SoC")
    assert dm.set_v16("MeterValuesSampledData", "Voltage,Temperature") is SetResult.REJECTED


def test_read_only_and_unknown() -> None:
    dm = model()
    assert dm.set_v16("NumberOfConnectors", "3") is SetResult.REJECTED
    assert dm.set_v16("NoSuchKey", "1") is None
    assert dm.set(VariableKey("Nope", "X"), "1") is SetResult.UNKNOWN_COMPONENT
    assert dm.set(VariableKey("OCPPCommCtrlr", "Nope"), "1") is SetResult.UNKNOWN_VARIABLE
    # A variable instance is part of the address.
    attempts = VariableKey("OCPPCommCtrlr", "MessageAttempts", "TransactionEvent")
    assert dm.set(attempts, "5") is SetResult.ACCEPTED
    assert dm.set(VariableKey("OCPPCommCtrlr", "MessageAttempts"), "5") is (
        SetResult.UNKNOWN_VARIABLE
    )


def test_1_6_only_keys_are_hidden_from_2_0_1() -> None:
    dm = model()
    names = {s.key.variable for s in dm.v201_settings()}
    assert "NumberOfConnectors" not in names
    assert "HeartbeatInterval" in names
    assert dm.find(VariableKey("ChargingStation", "NumberOfConnectors")) is (
        SetResult.UNKNOWN_VARIABLE
    )


def test_soc_is_sampled_by_default_only_in_2_0_1() -> None:
    assert "SoC" not in model("1.6").members(K_SAMPLED_MEASURANDS)
    assert "SoC" in model("2.0.1").members(K_SAMPLED_MEASURANDS)


def test_change_callback_sees_the_new_value() -> None:
    dm = model()
    seen: list[str] = []
    dm.on_change = lambda setting: seen.append(setting.current())
    dm.set_v16("MeterValueSampleInterval", "15")
    dm.set_v16("MeterValueSampleInterval", "bad")
    assert seen == ["15"]
