"""Wire → device model: NotifyReport data, GetVariables results, NotifyEvent values and 1.6
configuration keys, with the schema defaults and what lenient stations send."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from csms.v16.mapping import configuration_keys
from csms.v201.mapping import (
    event_actual_values,
    get_variable_results,
    report_variables,
    variable_address,
)
from shared.store.device_model import (
    StationVariable,
    VariableAddress,
    VariableCharacteristics,
    characteristics_doc,
)


def test_report_defaults_are_actual_and_read_write() -> None:
    [variable] = report_variables(
        [
            {
                "component": {"name": "AuthCtrlr"},
                "variable": {"name": "Enabled"},
                "variableAttribute": [{"value": "true"}],
            }
        ]
    )
    assert variable.address == VariableAddress("AuthCtrlr", "Enabled")
    assert variable.address.attribute_type == "Actual"
    assert variable.mutability == "ReadWrite"
    assert variable.characteristics is None
    assert (variable.persistent, variable.constant) == (None, None)


def test_report_one_row_per_attribute_with_shared_characteristics() -> None:
    rows = report_variables(
        [
            {
                "component": {"name": "EVSE", "instance": "Left", "evse": {"id": 2}},
                "variable": {"name": "Power", "instance": "Max"},
                "variableAttribute": [
                    {"type": "Actual", "value": "0", "mutability": "ReadOnly"},
                    {"type": "MaxSet", "value": "11000", "constant": True, "persistent": True},
                ],
                "variableCharacteristics": {
                    "unit": "W",
                    "dataType": "decimal",
                    "minLimit": 0,
                    "maxLimit": 11000.5,
                    "supportsMonitoring": True,
                },
            }
        ]
    )
    assert [row.address.attribute_type for row in rows] == ["Actual", "MaxSet"]
    assert rows[0].address == VariableAddress(
        component="EVSE",
        variable="Power",
        component_instance="Left",
        evse_id=2,
        connector_id=0,
        variable_instance="Max",
    )
    assert (
        rows[0].characteristics
        == rows[1].characteristics
        == VariableCharacteristics(
            data_type="decimal", supports_monitoring=True, unit="W", min_limit=0, max_limit=11000.5
        )
    )
    assert (rows[1].constant, rows[1].persistent, rows[1].mutability) == (True, True, "ReadWrite")


def test_lenient_values_outside_the_enums() -> None:
    [row] = report_variables(
        [
            {
                "component": {"name": "X"},
                "variable": {"name": "Y"},
                "variableAttribute": [
                    {"type": "ActualButMuchLongerThanSixteen", "mutability": "Sometimes"}
                ],
            }
        ]
    )
    # Kept as an address (cut to the column), mutability unknown rather than invented.
    assert row.address.attribute_type == "ActualButMuchLon"
    assert row.mutability is None


def test_get_variables_results() -> None:
    readings = get_variable_results(
        {
            "getVariableResult": [
                {
                    "attributeStatus": "Accepted",
                    "attributeValue": "300",
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                },
                {
                    "attributeStatus": "UnknownVariable",
                    "attributeType": "Target",
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "Nope"},
                },
            ]
        }
    )
    assert [(r.address.label(), r.status, r.value) for r in readings] == [
        ("OCPPCommCtrlr.HeartbeatInterval", "Accepted", "300"),
        ("OCPPCommCtrlr.Nope/Target", "UnknownVariable", None),
    ]


def test_event_actual_values() -> None:
    values = event_actual_values(
        [
            {
                "eventId": 1,
                "timestamp": "2026-11-26T10:00:00Z",
                "trigger": "Alerting",
                "actualValue": "Faulted",
                "eventNotificationType": "HardWiredMonitor",
                "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 2}},
                "variable": {"name": "AvailabilityState"},
            }
        ]
    )
    assert values == [
        (VariableAddress("Connector", "AvailabilityState", evse_id=1, connector_id=2), "Faulted")
    ]


def test_configuration_keys_keep_odd_values() -> None:
    keys, unknown = configuration_keys(
        {
            "configurationKey": [
                {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
                {"key": "NumberOfConnectors", "readonly": True, "value": 2},
                {"key": "LocalAuthListEnabled", "value": True},
                {"key": "AuthorizationKey", "readonly": False},
                {"key": "Weird", "value": {"a": [1]}},
            ],
            "unknownKey": ["Foo"],
        }
    )
    assert [(k.key, k.value, k.readonly) for k in keys] == [
        ("HeartbeatInterval", "300", False),
        ("NumberOfConnectors", "2", True),
        ("LocalAuthListEnabled", "true", False),
        ("AuthorizationKey", None, False),
        ("Weird", '{"a":[1]}', False),
    ]
    assert unknown == ["Foo"]
    assert configuration_keys({}) == ([], [])


def test_labels() -> None:
    assert VariableAddress.configuration_key("MeterValueSampleInterval").label() == (
        "MeterValueSampleInterval"
    )
    address = variable_address(
        {"name": "Connector", "instance": "A", "evse": {"id": 1, "connectorId": 2}},
        {"name": "Available", "instance": "B"},
        "Target",
    )
    assert address.label() == "Connector[A]@1.2.Available[B]/Target"


_text = st.text(max_size=20)
_characteristics = st.builds(
    VariableCharacteristics,
    data_type=st.sampled_from(["string", "integer", "decimal", "OptionList"]),
    supports_monitoring=st.booleans(),
    unit=st.none() | _text,
    min_limit=st.none() | st.floats(allow_nan=False, allow_infinity=False),
    max_limit=st.none() | st.floats(allow_nan=False, allow_infinity=False),
    values_list=st.none() | _text,
)


@given(
    characteristics=st.none() | _characteristics,
    persistent=st.none() | st.booleans(),
    constant=st.none() | st.booleans(),
)
def test_characteristics_document_round_trip(
    characteristics: VariableCharacteristics | None,
    persistent: bool | None,
    constant: bool | None,
) -> None:
    from shared.store.device_model import _from_doc

    variable = StationVariable(
        address=VariableAddress("C", "V"),
        characteristics=characteristics,
        persistent=persistent,
        constant=constant,
    )
    doc: dict[str, Any] | None = characteristics_doc(variable)
    assert _from_doc(doc) == (characteristics, persistent, constant)
