"""PATCH bodies: partial objects, fully checked, merged into the full object."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from ocpi_gateway.v221.models import (
    EVSE,
    ConnectorPatch,
    EvsePatch,
    Location,
    LocationPatch,
    OcpiPatch,
    Session,
    SessionPatch,
    SessionStatus,
    Status,
    Tariff,
    Token,
    TokenPatch,
    describe_validation_errors,
    dump,
    parse_json,
    patch_model,
    validate_json,
)

from ._data import example_bytes

STAMP = "2019-06-24T12:39:09Z"


def _refused(patch: type[OcpiPatch], data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        patch.model_validate(data)
    return describe_validation_errors(caught.value)


@pytest.mark.parametrize(
    "patch", [LocationPatch, EvsePatch, ConnectorPatch, SessionPatch, TokenPatch]
)
def test_patch_must_carry_last_updated(patch: type[OcpiPatch]) -> None:
    # mod_locations/mod_sessions/mod_tokens, PATCH: last_updated is mandatory
    # in every PATCH.
    assert _refused(patch, {}) == ["last_updated: missing required field"]
    assert patch.model_validate({"last_updated": STAMP}).changes() == {
        "last_updated": datetime(2019, 6, 24, 12, 39, 9, tzinfo=UTC)
    }


def test_objects_without_patch_in_the_spec_require_nothing() -> None:
    assert Tariff.model_validate_patch({}).changes() == {}


def test_present_fields_are_checked_like_in_the_full_object() -> None:
    assert _refused(EvsePatch, {"status": "BROKEN", "last_updated": STAMP}) == [
        "status: 'BROKEN' is not a valid Status"
    ]
    assert _refused(LocationPatch, {"name": "x" * 256, "last_updated": STAMP}) == [
        "name: longer than 255 characters (got 256)"
    ]
    assert _refused(ConnectorPatch, {"tariff_ids": ["15", 16], "last_updated": STAMP}) == [
        "tariff_ids[1]: expected a string, got number 16"
    ]


def test_nested_objects_in_a_patch_are_complete_objects() -> None:
    period = {"start_date_time": STAMP, "dimensions": [{"type": "ENERGY"}]}
    assert _refused(SessionPatch, {"charging_periods": [period], "last_updated": STAMP}) == [
        "charging_periods[0].dimensions[0].volume: missing required field"
    ]


def test_null_for_a_required_field_is_refused() -> None:
    assert _refused(EvsePatch, {"status": None, "last_updated": STAMP}) == [
        "status: None is not a valid Status"
    ]


def test_null_for_an_optional_field_means_no_change() -> None:
    patch = LocationPatch.model_validate({"name": None, "last_updated": STAMP})
    assert "name" not in patch.changes()
    location = validate_json(Location, example_bytes("location_example.json"))
    assert patch.apply_to(location).name == "Gent Zuid"


def test_changes_holds_only_what_was_sent() -> None:
    patch = Location.model_validate_patch(
        parse_json(example_bytes("location_patch_example_location.json"))
    )
    assert isinstance(patch, LocationPatch)
    assert set(patch.changes()) == {"name", "last_updated"}
    assert dump(patch) == {"name": "Interparking Gent Zuid", "last_updated": STAMP}


def test_apply_replaces_fields_and_keeps_the_rest() -> None:
    location = validate_json(Location, example_bytes("location_example.json"))
    assert location.evses is not None
    evse = location.evses[0]
    patch = EvsePatch.model_validate(
        parse_json(example_bytes("location_patch_example_status.json"))
    )
    patched = patch.apply_to(evse)
    assert isinstance(patched, EVSE)
    assert patched.status is Status.CHARGING
    assert patched.last_updated == datetime(2019, 6, 24, 12, 39, 9, tzinfo=UTC)
    assert patched.connectors == evse.connectors
    assert evse.status is Status.AVAILABLE  # the original is unchanged


def test_session_patch_adds_charging_periods() -> None:
    # mod_sessions, PATCH: charging_periods in a PATCH are added to the list.
    session = validate_json(Session, example_bytes("session_example_2_short_finished.json"))
    assert session.charging_periods is not None
    patch = SessionPatch.model_validate(
        parse_json(example_bytes("session_patch_example_charging_period.json"))
    )
    patched = patch.apply_to(session)
    assert patched.charging_periods is not None
    assert len(patched.charging_periods) == len(session.charging_periods) + 1
    assert patched.charging_periods[:-1] == session.charging_periods
    assert patched.charging_periods[-1].dimensions[0].volume == Decimal("2200")
    assert patched.kwh == Decimal("15.00")
    assert patched.total_cost is not None
    assert str(patched.total_cost.incl_vat) == "0.88"


def test_session_patch_with_empty_charging_periods_changes_nothing() -> None:
    # mod_sessions, PATCH: an absent or empty charging_periods list leaves the
    # session's periods as they are.
    session = validate_json(Session, example_bytes("session_example_2_short_finished.json"))
    patch = SessionPatch.model_validate({"charging_periods": [], "last_updated": STAMP})
    assert patch.apply_to(session).charging_periods == session.charging_periods


def test_session_patch_adds_periods_to_a_session_that_had_none() -> None:
    session = validate_json(Session, example_bytes("session_example_1_simple_start.json"))
    assert session.charging_periods is None
    patch = SessionPatch.model_validate(
        parse_json(example_bytes("session_patch_example_charging_period.json"))
    )
    patched = patch.apply_to(session)
    assert patched.charging_periods is not None
    assert len(patched.charging_periods) == 1
    assert patched.status is SessionStatus.PENDING


def test_the_patched_object_is_validated_as_a_whole() -> None:
    location = validate_json(Location, example_bytes("location_example.json"))
    assert location.evses is not None
    evse = location.evses[0]
    duplicate = dump(evse.connectors[0])
    patch = EvsePatch.model_validate({"connectors": [duplicate, duplicate], "last_updated": STAMP})
    with pytest.raises(ValidationError, match="connector id '1' appears more than once"):
        patch.apply_to(evse)


def test_apply_to_the_wrong_object_is_a_type_error() -> None:
    token = validate_json(Token, example_bytes("token_example_1_app_user.json"))
    patch = EvsePatch.model_validate({"last_updated": STAMP})
    with pytest.raises(TypeError, match="applies to EVSE, not Token"):
        patch.apply_to(token)


def test_token_patch_example_invalidates_the_token() -> None:
    token = validate_json(Token, example_bytes("token_put_example.json"))
    assert token.valid
    patch = TokenPatch.model_validate(parse_json(example_bytes("token_patch_example.json")))
    assert not patch.apply_to(token).valid


def test_patch_models_are_built_once() -> None:
    assert patch_model(Location) is LocationPatch
    assert patch_model(EVSE) is EvsePatch
    assert LocationPatch.full_model is Location
