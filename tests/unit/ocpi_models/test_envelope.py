"""The response envelope (transport_and_format, Response format) and status codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from ocpi_gateway.v221.models import (
    ChargingPreferencesResponse,
    CommandResponse,
    CommandResponseType,
    Location,
    OcpiResponse,
    StatusCode,
    Token,
    Version,
    VersionNumber,
    describe_validation_error,
    dump,
    parse_json,
    to_json_bytes,
    validate_each,
    validate_json,
)

from ._data import exact_json, example_bytes

NOW = datetime(2015, 6, 30, 21, 59, 59, tzinfo=UTC)


def test_error_response_has_no_data_field() -> None:
    # As in the spec's example of an error response: no data field.
    response: OcpiResponse[Any] = OcpiResponse.error(
        StatusCode.INVALID_OR_MISSING_PARAMETERS, "Missing required field: type", timestamp=NOW
    )
    assert json.loads(to_json_bytes(response)) == {
        "status_code": 2001,
        "status_message": "Missing required field: type",
        "timestamp": "2015-06-30T21:59:59Z",
    }
    assert not response.is_success


def test_success_response_wraps_an_object() -> None:
    location = validate_json(Location, example_bytes("location_example.json"))
    response = OcpiResponse[Location].success(location, timestamp=NOW)
    written = exact_json(to_json_bytes(response))
    assert written["data"] == exact_json(example_bytes("location_example.json"))
    assert written["status_code"] == "1000"
    assert "status_message" not in written
    assert response.is_success


def test_success_response_wraps_a_list_and_a_value() -> None:
    versions = [Version(version=VersionNumber.V2_2_1, url="https://x.example/ocpi/2.2.1")]
    listing = OcpiResponse[list[Version]].success(versions, timestamp=NOW, message="Success")
    assert dump(listing)["data"] == [{"version": "2.2.1", "url": "https://x.example/ocpi/2.2.1"}]
    assert dump(listing)["status_message"] == "Success"
    value = OcpiResponse[ChargingPreferencesResponse].success(
        ChargingPreferencesResponse.NOT_POSSIBLE, timestamp=NOW
    )
    assert dump(value)["data"] == "NOT_POSSIBLE"


def test_partner_response_is_read_with_typed_data() -> None:
    raw = example_bytes("transport_and_format_version_info_example.json")
    response = validate_json(OcpiResponse[list[Version]], raw)
    assert response.data is not None
    assert [v.version for v in response.data] == [VersionNumber.V2_1_1, VersionNumber.V2_2]
    assert response.timestamp == NOW


def test_partner_response_with_later_version_and_odd_message_is_readable() -> None:
    raw = json.dumps(
        {
            "data": [{"version": "2.3.0", "url": "https://p.example/2.3.0"}],
            "status_code": 1000,
            "status_message": "ok\r\n\tfine",
            "timestamp": "2024-01-01T00:00:00+01:00",
        }
    )
    response = validate_json(OcpiResponse[list[Version]], raw)
    assert response.data is not None
    assert response.data[0].version == "2.3.0"
    assert not isinstance(response.data[0].version, VersionNumber)
    assert response.status_message == "ok\r\n\tfine"
    assert response.timestamp == datetime(2023, 12, 31, 23, 0, tzinfo=UTC)


def test_error_from_partner_without_data_is_readable() -> None:
    raw = (
        b'{"status_code": 2004, "status_message": "Unknown Token",'
        b' "timestamp": "2015-06-30T21:59:59"}'
    )
    response = validate_json(OcpiResponse[CommandResponse], raw)
    assert response.data is None
    assert response.status_code == StatusCode.UNKNOWN_TOKEN
    assert not response.is_success


def test_custom_status_codes_are_kept() -> None:
    raw = b'{"status_code": 2901, "timestamp": "2015-06-30T21:59:59Z"}'
    assert validate_json(OcpiResponse[Any], raw).status_code == 2901


@pytest.mark.parametrize("code", [0, 200, 999, 10000, "1000", 1000.0])
def test_status_code_is_a_four_digit_int(code: object) -> None:
    with pytest.raises(ValidationError) as caught:
        OcpiResponse[Any].model_validate({"status_code": code, "timestamp": "2015-06-30T21:59:59Z"})
    assert describe_validation_error(caught.value).startswith("status_code:")


def test_response_data_is_validated_as_its_type() -> None:
    body = {
        "data": {"result": "MAYBE", "timeout": 30},
        "status_code": 1000,
        "timestamp": "2015-06-30T21:59:59Z",
    }
    with pytest.raises(ValidationError) as caught:
        OcpiResponse[CommandResponse].model_validate(body)
    assert describe_validation_error(caught.value) == (
        "data.result: 'MAYBE' is not a valid CommandResponseType"
    )
    body["data"] = {"result": "ACCEPTED", "timeout": 30}
    data = OcpiResponse[CommandResponse].model_validate(body).data
    assert data is not None
    assert data.result is CommandResponseType.ACCEPTED


def test_status_code_enum_ranges() -> None:
    assert StatusCode.SUCCESS.is_success
    assert not StatusCode.UNKNOWN_LOCATION.is_success
    assert StatusCode(3002) is StatusCode.UNSUPPORTED_VERSION


def test_a_list_with_some_bad_items_keeps_the_good_ones() -> None:
    # transport_and_format, GET: a client goes on with the correct objects of
    # a partly faulty list.
    raw = parse_json(example_bytes("transport_and_format_get_token_list_example.json"))
    tokens = raw["data"]
    tokens[1]["whitelist"] = "SOMETIMES"
    del tokens[2]["uid"]
    valid, errors = validate_each(Token, tokens)
    assert [token.uid for token in valid] == ["100012"]
    assert [(index, describe_validation_error(exc)) for index, exc in errors] == [
        (1, "whitelist: 'SOMETIMES' is not a valid WhitelistType"),
        (2, "uid: missing required field"),
    ]
