"""Wire ↔ domain for authorization, transactions and meter values, both versions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csms.ocppj import ErrorCode, OcppError, get_validator
from csms.v16 import mapping as v16
from csms.v201 import mapping as v201
from shared.authorization import AuthorizationResult, AuthorizationStatus
from shared.domain.transactions import start_fingerprint, stop_fingerprint

AT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def fixed_time(_text: str | None) -> datetime:
    return AT


def test_v16_meter_report_keeps_every_sample_as_sent() -> None:
    report = v16.meter_report(
        [
            {
                "timestamp": "2026-11-26T10:00:00Z",
                "sampledValue": [
                    {"value": "12345.678"},  # default measurand, default unit Wh
                    {"value": "16.02", "measurand": "Current.Import", "phase": "L1-N", "unit": "A"},
                    {"value": "49.98", "measurand": "Frequency", "unit": "Hz"},
                    {"value": "7", "measurand": "Request.Energy", "context": "Other"},
                    {"value": "12,5", "measurand": "Voltage", "phase": "L2-N", "unit": "V"},
                    {"value": "3045022100ab", "format": "SignedData"},
                    {"value": "NaN", "measurand": "SoC"},
                    {"value": "n/a", "measurand": "SoC"},
                ],
            }
        ],
        "CP",
        1,
        7,
        fixed_time,
    )
    assert report.skipped == 3
    rows = [(s["measurand"], s["phase"], s["unit"], s["value"]) for s in report.samples]
    assert rows == [
        ("Energy.Active.Import.Register", None, None, 12345.678),
        ("Current.Import", "L1-N", "A", 16.02),
        ("Frequency", None, "Hz", 49.98),
        ("Request.Energy", None, None, 7.0),
        ("Voltage", "L2-N", "V", 12.5),
    ]
    assert all(s["transaction_id"] == 7 and s["evse_id"] == 1 for s in report.samples)
    assert report.first_energy is not None
    assert report.first_energy.wh == 12345.678
    assert report.last_energy == report.first_energy


def test_v16_energy_in_kwh_becomes_wh_and_readings_are_ordered_by_time() -> None:
    times = iter([datetime(2026, 1, 1, 10, 5, tzinfo=UTC), datetime(2026, 1, 1, 10, 0, tzinfo=UTC)])
    report = v16.meter_report(
        [
            {"timestamp": "b", "sampledValue": [{"value": "2.5", "unit": "kWh"}]},
            {"timestamp": "a", "sampledValue": [{"value": "2.25", "unit": "kWh"}]},
        ],
        "CP",
        1,
        None,
        lambda _text: next(times),
    )
    assert report.first_energy is not None
    assert report.last_energy is not None
    assert (report.first_energy.wh, report.last_energy.wh) == (2250.0, 2500.0)
    # What is stored is what was sent: 2.5 kWh.
    assert [(s["value"], s["unit"]) for s in report.samples] == [(2.5, "kWh"), (2.25, "kWh")]


def test_v16_per_phase_or_unknown_unit_energy_is_no_transaction_reading() -> None:
    report = v16.meter_report(
        [
            {
                "timestamp": "x",
                "sampledValue": [
                    {"value": "100", "phase": "L1"},
                    {"value": "100", "unit": "varh"},
                ],
            }
        ],
        "CP",
        1,
        None,
        fixed_time,
    )
    assert len(report.samples) == 2
    assert report.first_energy is None
    assert report.last_energy is None


def test_v16_lenient_values_are_cut_to_the_columns() -> None:
    report = v16.meter_report(
        [
            {
                "timestamp": "x",
                "sampledValue": [{"value": "1", "measurand": "M" * 80, "unit": "U" * 40}],
            }
        ],
        "CP",
        0,
        None,
        fixed_time,
    )
    assert report.samples[0]["measurand"] == "M" * 48
    assert report.samples[0]["unit"] == "U" * 16


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False))
def test_v16_values_keep_their_digits(value: object) -> None:
    text = str(value)
    report = v16.meter_report(
        [{"timestamp": "x", "sampledValue": [{"value": text, "measurand": "Power.Active.Import"}]}],
        "CP",
        1,
        None,
        fixed_time,
    )
    assert report.samples[0]["value"] == float(text)


def test_v201_meter_report_applies_the_multiplier() -> None:
    report = v201.meter_report(
        [
            {
                "timestamp": "2026-11-26T10:00:00Z",
                "sampledValue": [
                    {"value": 1234, "unitOfMeasure": {"unit": "Wh", "multiplier": -1}},
                    {"value": 1.5, "unitOfMeasure": {"unit": "kWh", "multiplier": 1}},
                    {"value": 230.1, "measurand": "Voltage", "phase": "L1-N"},
                    {"value": 50, "measurand": "Frequency", "unitOfMeasure": {"unit": "Hz"}},
                ],
            }
        ],
        "CS",
        2,
        fixed_time,
    )
    values = [(s["measurand"], s["unit"], s["value"]) for s in report.samples]
    assert values == [
        ("Energy.Active.Import.Register", "Wh", 123.4),
        ("Energy.Active.Import.Register", "kWh", 15.0),
        ("Voltage", None, 230.1),
        ("Frequency", "Hz", 50.0),
    ]
    assert report.last_energy is not None
    assert report.last_energy.wh == 15000.0
    assert report.first_energy is not None
    assert report.first_energy.wh == 123.4


def test_v16_id_tag_info_speaks_1_6() -> None:
    expiry = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)
    info = v16.id_tag_info(
        AuthorizationResult(AuthorizationStatus.ACCEPTED, expiry=expiry, group_id="FLEET-1")
    )
    assert info == {
        "status": "Accepted",
        "expiryDate": "2027-01-01T12:00:00.000Z",
        "parentIdTag": "FLEET-1",
    }
    for status in (AuthorizationStatus.NO_CREDIT, AuthorizationStatus.UNKNOWN):
        assert v16.id_tag_info(AuthorizationResult(status)) == {"status": "Invalid"}
    long_group = AuthorizationResult(AuthorizationStatus.BLOCKED, group_id="G" * 21)
    assert v16.id_tag_info(long_group) == {"status": "Blocked"}
    validator = get_validator("1.6", "strict")
    validator.validate_response("Authorize", {"idTagInfo": info})


def test_v201_id_token_info_keeps_the_full_enum() -> None:
    info = v201.id_token_info(
        AuthorizationResult(AuthorizationStatus.NO_CREDIT, group_id="FLEET-1")
    )
    assert info == {
        "status": "NoCredit",
        "groupIdToken": {"idToken": "FLEET-1", "type": "Central"},
    }
    get_validator("2.0.1", "strict").validate_response("Authorize", {"idTokenInfo": info})


def test_v201_transaction_event_mapping() -> None:
    payload = {
        "eventType": "Started",
        "timestamp": "2026-11-26T10:00:00Z",
        "triggerReason": "RemoteStart",
        "seqNo": 0,
        "offline": True,
        "reservationId": 3,
        "transactionInfo": {
            "transactionId": "T-1",
            "chargingState": "Charging",
            "remoteStartId": 9,
        },
        "idToken": {"idToken": "TAG", "type": "ISO14443"},
        "evse": {"id": 2, "connectorId": 1},
    }
    meter = v201.meter_report([], "CS", 2, fixed_time)
    event = v201.transaction_event(payload, AT, meter)
    assert (event.transaction_ref, event.seq_no, event.event_type.value) == ("T-1", 0, "Started")
    assert (event.evse_id, event.connector_id, event.remote_start_id) == (2, 1, 9)
    assert (event.id_token, event.id_token_type, event.offline) == ("TAG", "ISO14443", True)
    assert (event.charging_state, event.reservation_id) == ("Charging", 3)
    with pytest.raises(OcppError) as refused:
        v201.transaction_event(payload | {"eventType": "Paused"}, AT, meter)
    assert refused.value.code is ErrorCode.PropertyConstraintViolation


def test_v16_start_and_stop_mapping() -> None:
    start = v16.transaction_start(
        "CP",
        {"connectorId": 2, "idTag": "TAG", "meterStart": 120, "timestamp": "2026-11-26T10:00:00"},
        AT,
    )
    assert (start.evse_id, start.connector_id, start.meter_start_wh) == (2, 1, 120.0)
    assert start.fingerprint == start_fingerprint(2, "TAG", "2026-11-26T10:00:00", 120)
    stop = v16.transaction_stop(
        "CP",
        {"transactionId": -1, "meterStop": 500, "timestamp": "2026-11-26T11:00:00Z"},
        AT,
        v16.meter_report([], "CP", 0, None, fixed_time),
    )
    assert (stop.reason, stop.id_token, stop.charger_transaction_id) == ("Local", None, -1)
    assert stop.fingerprint == stop_fingerprint(-1, None, "2026-11-26T11:00:00Z", 500)


def test_fingerprints_tell_messages_apart() -> None:
    base = start_fingerprint(1, "TAG", "2026-11-26T10:00:00Z", 100)
    assert base == start_fingerprint(1, "TAG", "2026-11-26T10:00:00Z", 100)
    assert base != start_fingerprint(2, "TAG", "2026-11-26T10:00:00Z", 100)
    assert base != start_fingerprint(1, "TAG", "2026-11-26T10:00:01Z", 100)
    assert base != start_fingerprint(1, "TAG", "2026-11-26T10:00:00Z", 101)
    assert base != start_fingerprint(1, "TAG2", "2026-11-26T10:00:00Z", 100)
    assert len(base) <= 128  # transactions.start_fingerprint is String(128)


def test_v16_an_unknown_stop_reason_is_kept_cut_to_the_column() -> None:
    reason = "VendorSpecificEmergencyShutdownOfTheCharger"
    stop = v16.transaction_stop(
        "CP",
        {"transactionId": 5, "meterStop": 1, "timestamp": "x", "reason": reason},
        AT,
        v16.meter_report([], "CP", 0, None, fixed_time),
    )
    assert stop.reason == reason[:32]
