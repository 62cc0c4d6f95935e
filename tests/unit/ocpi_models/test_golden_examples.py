"""The spec's own JSON examples parse and serialize back to the same JSON.

The examples are copied from `examples/` of github.com/ocpi/ocpi, branch
release-2.2.1-bugfixes (commit ca8c04c5), into tests/data/ocpi_examples/.
Numbers are compared as text, so `2.00` must come back as `2.00`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from ocpi_gateway.v221 import models as m
from ocpi_gateway.v221.models import (
    describe_validation_errors,
    dump,
    json_dumps,
    parse_json,
    to_json_bytes,
    validate_json,
)

from ._data import EXAMPLES_DIR, exact_json, example_bytes

# Each example file and the model it is an instance of.
WHOLE_OBJECTS: dict[str, type[BaseModel]] = {
    "cdr_example.json": m.CDR,
    "credentials_example.json": m.Credentials,
    "credentials_example2.json": m.Credentials,
    "credentials_example3.json": m.Credentials,
    "credentials_example4.json": m.Credentials,
    "location_example.json": m.Location,
    "location_example_parking_garage_opening_hours.json": m.Location,
    "location_example_uc2_destination_charger.json": m.Location,
    "location_example_uc3_destination_charger_not_published.json": m.Location,
    "location_example_uc4_limited_visibility.json": m.Location,
    "location_example_uc5_home_charge_point.json": m.Location,
    "location_hours_247_open_exception_closing.json": m.Hours,
    "location_hours_opening_hours_with_exceptional_closing.json": m.Hours,
    "location_hours_opening_hours_with_exceptional_opening.json": m.Hours,
    "session_example_1_simple_start.json": m.Session,
    "session_example_2_short_finished.json": m.Session,
    "tariff_1_simple_2hour.json": m.Tariff,
    "tariff_2_alt_text.json": m.Tariff,
    "tariff_3_alt_url.json": m.Tariff,
    "tariff_4_complex.json": m.Tariff,
    "tariff_5_free_of_charge.json": m.Tariff,
    "tariff_6_025kwh_start_max_price.json": m.Tariff,
    "tariff_8_simple_025kwh.json": m.Tariff,
    "tariff_9_025kwh_start.json": m.Tariff,
    "tariff_10_025kwh_parking_start.json": m.Tariff,
    "tariff_11_not_possible_alt_text.json": m.Tariff,
    "tariff_12_025kwh_min_price.json": m.Tariff,
    "tariff_13_simple_3hour_5parking.json": m.Tariff,
    "tariff_14_step_size.json": m.Tariff,
    "tariff_15_reservation_5_euro_per_hour.json": m.Tariff,
    "tariff_16_reservation_2_euro_fee_5_euro_per_hour.json": m.Tariff,
    "tariff_17_reservation_with_expire_fee.json": m.Tariff,
    "tariff_18_reservation_with_expire_time.json": m.Tariff,
    "tariffrestriction_example_max_duration.json": m.Tariff,
    "tariffrestriction_example_max_power.json": m.Tariff,
    "token_example_1_app_user.json": m.Token,
    "token_example_2_full_rfid.json": m.Token,
    "token_put_example.json": m.Token,
    "type_displaytext_example.json": m.DisplayText,
    "version_details_example.json": m.VersionDetails,
    "version_details_example2.json": m.VersionDetails,
    "transport_and_format_get_token_example.json": m.OcpiResponse[m.Token],
    "transport_and_format_get_token_list_example.json": m.OcpiResponse[list[m.Token]],
    "transport_and_format_version_details_example.json": m.OcpiResponse[m.VersionDetails],
    "transport_and_format_version_info_example.json": m.OcpiResponse[list[m.Version]],
}

# PATCH bodies, with the object the URL in the spec text points at.
PATCHES: dict[str, type[m.OcpiPatch]] = {
    "location_patch_example_location.json": m.LocationPatch,
    "location_patch_example_remove_evse.json": m.EvsePatch,
    "location_patch_example_status.json": m.EvsePatch,
    "location_patch_example_tariff.json": m.ConnectorPatch,
    "session_patch_example_charging_period.json": m.SessionPatch,
    "session_patch_example_total_cost.json": m.SessionPatch,
    "token_patch_example.json": m.TokenPatch,
}

# Fragments: {"<field>": <value>} shown for one field of a larger object.
FRAGMENTS: dict[str, tuple[str, type[BaseModel]]] = {
    "location_energymix_example_complete.json": ("energy_mix", m.EnergyMix),
    "location_energymix_example_energy_provider.json": ("energy_mix", m.EnergyMix),
    "location_energymix_example_simple.json": ("energy_mix", m.EnergyMix),
    "location_regularhours_example.json": ("opening_times", m.Hours),
}

# Examples that are wrong in the spec itself, with the errors we must report.
INVALID_IN_SPEC: dict[str, tuple[type[BaseModel], list[str]]] = {
    # The PUT example of a new EVSE gives connectors without power_type,
    # max_voltage, max_amperage and last_updated (all card. 1), a "floor"
    # field that does not exist (ignored) and physical_reference as a number
    # where the table says string(16).
    "location_put_example_add_evse.json": (
        m.EVSE,
        [
            "connectors[0].power_type: missing required field",
            "connectors[0].max_voltage: missing required field",
            "connectors[0].max_amperage: missing required field",
            "connectors[0].last_updated: missing required field",
            "physical_reference: expected a string, got number 3",
        ],
    ),
    # The PUT example of a Tariff has no last_updated (card. 1).
    "tariff_put_example.json": (m.Tariff, ["last_updated: missing required field"]),
}

LISTS: dict[str, type[BaseModel]] = {"versions_info_example.json": m.Version}


def test_every_example_file_is_covered() -> None:
    files = {path.name for path in EXAMPLES_DIR.glob("*.json")}
    covered = set(WHOLE_OBJECTS) | set(PATCHES) | set(FRAGMENTS) | set(INVALID_IN_SPEC)
    assert files == covered | set(LISTS)
    assert len(files) == 59


@pytest.mark.parametrize(("name", "model"), sorted(WHOLE_OBJECTS.items()))
def test_example_round_trips(name: str, model: type[BaseModel]) -> None:
    raw = example_bytes(name)
    parsed = validate_json(model, raw)
    assert exact_json(to_json_bytes(parsed)) == exact_json(raw)
    # dump() + json_dumps() is the same document.
    assert exact_json(json_dumps(dump(parsed))) == exact_json(raw)


@pytest.mark.parametrize(("name", "patch_model"), sorted(PATCHES.items()))
def test_patch_example_round_trips(name: str, patch_model: type[m.OcpiPatch]) -> None:
    raw = example_bytes(name)
    patch = validate_json(patch_model, raw)
    assert exact_json(json_dumps(patch.changes())) == exact_json(raw)
    assert exact_json(to_json_bytes(patch)) == exact_json(raw)


@pytest.mark.parametrize(("name", "field_and_model"), sorted(FRAGMENTS.items()))
def test_fragment_example_round_trips(
    name: str, field_and_model: tuple[str, type[BaseModel]]
) -> None:
    field, model = field_and_model
    document = parse_json(example_bytes(name))
    parsed = model.model_validate(document[field])
    assert exact_json(json_dumps({field: parsed})) == exact_json(example_bytes(name))


@pytest.mark.parametrize(("name", "item_model"), sorted(LISTS.items()))
def test_list_example_round_trips(name: str, item_model: type[BaseModel]) -> None:
    adapter: TypeAdapter[list[Any]] = TypeAdapter(list[item_model])  # type: ignore[valid-type]
    parsed = adapter.validate_python(parse_json(example_bytes(name)))
    assert exact_json(json_dumps(parsed)) == exact_json(example_bytes(name))


@pytest.mark.parametrize(("name", "expected"), sorted(INVALID_IN_SPEC.items()))
def test_examples_that_are_wrong_in_the_spec_are_refused(
    name: str, expected: tuple[type[BaseModel], list[str]]
) -> None:
    model, messages = expected
    with pytest.raises(ValidationError) as caught:
        validate_json(model, example_bytes(name))
    assert describe_validation_errors(caught.value) == messages


def test_the_location_example_keeps_its_structure() -> None:
    location = validate_json(m.Location, example_bytes("location_example.json"))
    assert location.evses is not None
    assert [evse.uid for evse in location.evses] == ["3256", "3257"]
    connector = location.evses[0].connectors[1]
    assert connector.standard is m.ConnectorType.IEC_62196_T2
    assert connector.format is m.ConnectorFormat.SOCKET
    assert connector.tariff_ids == ["13"]
    assert location.last_updated.isoformat() == "2015-06-29T20:39:09+00:00"


def test_the_cdr_example_keeps_exact_amounts() -> None:
    cdr = validate_json(m.CDR, example_bytes("cdr_example.json"))
    assert str(cdr.total_cost.excl_vat) == "4.00"
    assert str(cdr.total_energy) == "15.342"
    assert b'"excl_vat":4.00' in to_json_bytes(cdr)
    assert json.loads(to_json_bytes(cdr))["total_time"] == 1.973
