"""Rules the spec states in prose rather than in its tables."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from ocpi_gateway.v221.models import (
    CDR,
    ChargingProfile,
    Credentials,
    Hours,
    Location,
    PublishTokenType,
    RegularHours,
    StartSession,
    Tariff,
    describe_validation_errors,
    parse_json,
)

from ._data import example_bytes


def _refused(model: type[Any], data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return describe_validation_errors(caught.value)


# mod_locations, PublishTokenType: at least one of uid, visual_number,
# group_id; uid needs type; visual_number needs issuer.
@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({}, "at least one of uid, visual_number or group_id must be set"),
        ({"type": "RFID", "issuer": "X"}, "at least one of uid, visual_number or group_id"),
        ({"uid": "123"}, "type must be set when uid is set"),
        ({"visual_number": "0123"}, "issuer must be set when visual_number is set"),
    ],
)
def test_publish_token_must_identify_a_token(data: dict[str, Any], problem: str) -> None:
    assert _refused(PublishTokenType, data)[0].startswith(f"(body): {problem}")


@pytest.mark.parametrize(
    "data",
    [
        {"uid": "123", "type": "RFID"},
        {"visual_number": "0123", "issuer": "X"},
        {"group_id": "G1"},
    ],
)
def test_publish_token_accepted_forms(data: dict[str, Any]) -> None:
    assert PublishTokenType.model_validate(data).model_dump(exclude_none=True) == data


def test_publish_allowed_to_only_when_not_published() -> None:
    data = parse_json(example_bytes("location_example_uc4_limited_visibility.json"))
    data["publish"] = True
    assert _refused(Location, data) == [
        "(body): publish_allowed_to may only be used when publish is false"
    ]


# mod_locations, Hours and RegularHours.
def test_hours_need_regular_hours_unless_24_7() -> None:
    assert _refused(Hours, {"twentyfourseven": False}) == [
        "(body): regular_hours needs at least one entry when twentyfourseven is false"
    ]
    regular = [{"weekday": 1, "period_begin": "08:00", "period_end": "18:00"}]
    assert _refused(Hours, {"twentyfourseven": True, "regular_hours": regular}) == [
        "(body): regular_hours must not be given when twentyfourseven is true"
    ]
    assert Hours.model_validate({"twentyfourseven": True, "regular_hours": []}).twentyfourseven


@pytest.mark.parametrize(
    ("begin", "end", "problem"),
    [
        ("18:00", "08:00", "(body): period_end 08:00 must be later than period_begin 18:00"),
        ("08:00", "08:00", "(body): period_end 08:00 must be later than period_begin 08:00"),
        ("8:00", "18:00", "period_begin: '8:00' does not match the format"),
        ("08:00", "24:00", "period_end: '24:00' does not match the format"),
    ],
)
def test_regular_hours_periods(begin: str, end: str, problem: str) -> None:
    data = {"weekday": 1, "period_begin": begin, "period_end": end}
    assert _refused(RegularHours, data)[0].startswith(problem)


@pytest.mark.parametrize("weekday", [0, 8])
def test_weekday_is_monday_1_to_sunday_7(weekday: int) -> None:
    data = {"weekday": weekday, "period_begin": "08:00", "period_end": "18:00"}
    assert _refused(RegularHours, data)[0].startswith("weekday:")


# mod_commands, StartSession: evse_uid is required when connector_id is set.
def test_start_session_connector_needs_evse() -> None:
    token = parse_json(example_bytes("token_example_1_app_user.json"))
    base = {"response_url": "https://e.example/r/1", "token": token, "location_id": "L1"}
    assert StartSession.model_validate(base).evse_uid is None
    assert StartSession.model_validate({**base, "evse_uid": "E1", "connector_id": "1"})
    assert _refused(StartSession, {**base, "connector_id": "1"}) == [
        "(body): evse_uid is required when connector_id is set"
    ]


# mod_cdrs: a credit CDR names the CDR it credits; no Session-only dimensions.
def test_credit_cdr_needs_reference() -> None:
    cdr = parse_json(example_bytes("cdr_example.json"))
    assert _refused(CDR, {**cdr, "credit": True}) == [
        "(body): credit_reference_id must be set for a credit CDR"
    ]
    credit = CDR.model_validate(
        {**cdr, "id": "12345-C", "credit": True, "credit_reference_id": "12345"}
    )
    assert credit.credit is True


@pytest.mark.parametrize(
    "dimension", ["CURRENT", "ENERGY_EXPORT", "ENERGY_IMPORT", "POWER", "STATE_OF_CHARGE"]
)
def test_cdr_refuses_session_only_dimensions(dimension: str) -> None:
    cdr = parse_json(example_bytes("cdr_example.json"))
    cdr["charging_periods"][0]["dimensions"].append({"type": dimension, "volume": 1})
    assert _refused(CDR, cdr) == [
        f"(body): dimension {dimension} may only be used in Sessions, not in a CDR"
    ]


# mod_tariffs: a reservation element prices only FLAT and TIME.
@pytest.mark.parametrize("dimension", ["ENERGY", "PARKING_TIME"])
def test_reservation_element_prices_only_flat_and_time(dimension: str) -> None:
    tariff = parse_json(example_bytes("tariff_16_reservation_2_euro_fee_5_euro_per_hour.json"))
    element = next(e for e in tariff["elements"] if e.get("restrictions", {}).get("reservation"))
    element["price_components"][0]["type"] = dimension
    assert _refused(Tariff, tariff)[0].startswith(
        f"elements[0]: a reservation element can only price FLAT and TIME, not {dimension}"
    )


# credentials: each (role, party_id, country_code) only once, case-insensitively.
def test_credentials_roles_are_unique() -> None:
    credentials = parse_json(example_bytes("credentials_example2.json"))
    duplicate = copy.deepcopy(credentials["roles"][0])
    duplicate["party_id"] = duplicate["party_id"].lower()
    credentials["roles"].append(duplicate)
    assert _refused(Credentials, credentials) == ["(body): role CPO NL/exa is listed twice"]


@pytest.mark.parametrize("token", ["has space", "tab\there", "ünïcode", "x" * 65])
def test_credentials_token_is_printable_ascii_without_spaces(token: str) -> None:
    credentials = parse_json(example_bytes("credentials_example.json"))
    assert _refused(Credentials, {**credentials, "token": token})[0].startswith("token:")


# mod_charging_profiles: limit and min_charging_rate take at most one decimal.
@pytest.mark.parametrize(
    ("limit", "ok"),
    [(8, True), (8.1, True), (Decimal("8.10"), True), (8.15, False), (Decimal("8.01"), False)],
)
def test_charging_rate_has_at_most_one_decimal(limit: object, ok: bool) -> None:
    data = {
        "charging_rate_unit": "A",
        "charging_profile_period": [{"start_period": 0, "limit": limit}],
    }
    if ok:
        assert ChargingProfile.model_validate(data).charging_profile_period
    else:
        assert _refused(ChargingProfile, data)[0].startswith("charging_profile_period[0].limit:")
