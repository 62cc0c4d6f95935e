"""Bad input is refused with a message a partner can act on (OCPI status 2001)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from ocpi_gateway.v221.models import (
    Location,
    StartSession,
    Token,
    VersionDetails,
    describe_validation_error,
    describe_validation_errors,
    format_location,
    parse_json,
    validate_json,
)

from ._data import example_bytes

LOCATION: dict[str, Any] = parse_json(example_bytes("location_example.json"))


def _location_error(change: dict[tuple[Any, ...], Any]) -> str:
    data = copy.deepcopy(LOCATION)
    if change:
        for path, value in change.items():
            target: Any = data
            *parents, last = path
            for part in parents:
                target = target[part]
            if value is _DELETE:
                del target[last]
            else:
                target[last] = value
    with pytest.raises(ValidationError) as caught:
        Location.model_validate(data)
    return describe_validation_error(caught.value)


_DELETE = object()
CONNECTOR = ("evses", 0, "connectors", 0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {(*CONNECTOR, "standard"): "FOO"},
            "evses[0].connectors[0].standard: 'FOO' is not a valid ConnectorType",
        ),
        (
            {(*CONNECTOR, "id"): "x" * 37},
            "evses[0].connectors[0].id: longer than 36 characters (got 37)",
        ),
        (
            {(*CONNECTOR, "max_voltage"): "220"},
            "evses[0].connectors[0].max_voltage: expected an integer, got string '220'",
        ),
        (
            {(*CONNECTOR, "max_voltage"): 220.5},
            "evses[0].connectors[0].max_voltage: expected an integer, got number 220.5",
        ),
        (
            {(*CONNECTOR, "last_updated"): _DELETE},
            "evses[0].connectors[0].last_updated: missing required field",
        ),
        (
            {(*CONNECTOR, "last_updated"): "last tuesday"},
            "evses[0].connectors[0].last_updated: 'last tuesday' is not a valid DateTime "
            "(RFC 3339, e.g. 2015-06-29T20:39:09Z)",
        ),
        (
            {(*CONNECTOR, "tariff_ids"): "11"},
            "evses[0].connectors[0].tariff_ids: expected an array, got string '11'",
        ),
        ({("evses", 1, "connectors"): []}, "evses[1].connectors: must contain at least 1 item(s)"),
        ({("evses", 0, "status"): None}, "evses[0].status: None is not a valid Status"),
        (
            {("evses", 0, "evse_id"): "BE*BEC*É"},
            "evses[0].evse_id: contains 'É', but only printable ASCII is allowed",
        ),
        (
            {("coordinates", "latitude"): "51.04"},
            "coordinates.latitude: '51.04' does not match the format "
            "^(?:-?[0-9]{1,2}\\.[0-9]{5,7})$",
        ),
        ({("publish",): "yes"}, "publish: expected a boolean, got string 'yes'"),
        ({("operator",): "BeCharged"}, "operator: expected an object, got string 'BeCharged'"),
        (
            {("evses", 1, "uid"): "3256"},
            "(body): EVSE uid '3256' appears more than once",
        ),
        (
            {("evses", 0, "connectors", 1, "id"): "1"},
            "evses[0]: connector id '1' appears more than once",
        ),
    ],
)
def test_one_clear_message_per_problem(change: dict[tuple[Any, ...], Any], message: str) -> None:
    assert _location_error(change) == message


def test_several_problems_are_counted() -> None:
    message = _location_error(
        {(*CONNECTOR, "standard"): "FOO", ("city",): None, ("country",): "BELG"}
    )
    assert message == ("city: expected a string, got null (and 2 more)")


def test_all_problems_can_be_listed() -> None:
    data = copy.deepcopy(LOCATION)
    data["evses"][0]["connectors"][0]["standard"] = "FOO"
    data["country"] = "BELG"
    with pytest.raises(ValidationError) as caught:
        Location.model_validate(data)
    assert describe_validation_errors(caught.value) == [
        "country: longer than 3 characters (got 4)",
        "evses[0].connectors[0].standard: 'FOO' is not a valid ConnectorType",
    ]


def test_long_input_values_are_shortened_in_messages() -> None:
    message = _location_error({(*CONNECTOR, "standard"): "X" * 500})
    assert message.startswith("evses[0].connectors[0].standard: 'XXXX")
    assert len(message) < 120


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{", "(body): invalid JSON: Expecting property name enclosed in double quotes"),
        (b"", "(body): invalid JSON: Expecting value: line 1 column 1 (char 0)"),
        (b'{"a": NaN}', "(body): invalid JSON: NaN is not allowed in JSON"),
        (b"\xff\xfe", "(body): invalid JSON:"),
        (b"[1, 2]", "(body): expected an object, got an array"),
        (b'"token"', "(body): expected an object, got string 'token'"),
    ],
)
def test_unreadable_or_non_object_body(body: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_json(Token, body)
    assert describe_validation_error(caught.value).startswith(message)


def test_model_rule_violations_read_without_pydantic_prefix() -> None:
    body = {
        "response_url": "https://emsp.example.com/commands/START_SESSION/1",
        "token": parse_json(example_bytes("token_example_2_full_rfid.json")),
        "location_id": "LOC1",
        "connector_id": "1",
    }
    with pytest.raises(ValidationError) as caught:
        StartSession.model_validate(body)
    assert describe_validation_error(caught.value) == (
        "(body): evse_uid is required when connector_id is set"
    )


def test_open_enum_error_has_one_clean_location() -> None:
    body = {
        "version": "2.2.1",
        "endpoints": [{"identifier": 42, "role": "SENDER", "url": "https://a.example/x"}],
    }
    with pytest.raises(ValidationError) as caught:
        VersionDetails.model_validate(body)
    assert describe_validation_errors(caught.value) == [
        "endpoints[0].identifier: 42 is neither a ModuleID nor a string of 1 to 255 "
        "printable characters"
    ]


@pytest.mark.parametrize(
    ("loc", "text"),
    [((), "(body)"), (("a",), "a"), (("a", 0, "b"), "a[0].b"), ((0, "x"), "[0].x")],
)
def test_format_location(loc: tuple[int | str, ...], text: str) -> None:
    assert format_location(loc) == text


def test_unknown_fields_are_ignored_and_not_sent_on() -> None:
    data = copy.deepcopy(LOCATION)
    data["x_custom_field"] = {"anything": 1}
    data["evses"][0]["floor"] = -1
    location = Location.model_validate(data)
    assert "x_custom_field" not in location.model_dump()
    assert location.evses is not None
    assert "floor" not in location.evses[0].model_dump()
