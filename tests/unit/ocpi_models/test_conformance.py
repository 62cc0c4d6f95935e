"""Every object, class and enum of the spec's tables against our models.

The tables come from tests/data/ocpi-2.2.1.schema.json, read mechanically from
the spec (github.com/ocpi/ocpi, release-2.2.1-bugfixes, ca8c04c5). Each field
is checked twice: its declared shape (required, list, primitive, maximum
length, pattern, referenced type) and its behaviour (a payload built from the
table validates; a missing, too long, wrongly typed or unknown value is
refused at that field).

Where the spec's text says more than its table, the text wins; where we
deliberately accept more than the table, we say why. Both are listed in
`OVERRIDES`, and `test_overrides_are_still_needed` fails if one of them no
longer differs from the table.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from ocpi_gateway.v221 import models as m
from ocpi_gateway.v221.models.location_classes import TIME_OF_DAY_PATTERN
from ocpi_gateway.v221.models.tariffs import DATE_PATTERN

from ._spec import (
    ENUM_IDS,
    IMPLEMENTATION,
    OBJECT_IDS,
    PATTERN_SAMPLES,
    SCHEMA,
    field_shape,
    model_for,
    payload,
)

SPEC_TEXT = "spec text wins"
DELIBERATE = "deliberate"

#: (table, field) → what we expect instead of the table's value, and why.
OVERRIDES: dict[tuple[str, str], dict[str, Any]] = {
    ("mod_locations_regularhours_class", "period_end"): {
        "pattern": TIME_OF_DAY_PATTERN,
        "kind": SPEC_TEXT,
        "reason": "the table gives the regex only for period_begin; period_end's "
        "description refers to period_begin's syntax",
    },
    ("mod_tariffs_tariffrestrictions_class", "end_time"): {
        "pattern": TIME_OF_DAY_PATTERN,
        "kind": SPEC_TEXT,
        "reason": "end_time's description refers to start_time's syntax",
    },
    ("mod_tariffs_tariffrestrictions_class", "end_date"): {
        "pattern": DATE_PATTERN,
        "kind": SPEC_TEXT,
        "reason": "end_date's description refers to start_date's syntax",
    },
    ("version_information_endpoint_endpoint_class", "identifier"): {
        "also_accepts_other_strings": True,
        "kind": SPEC_TEXT,
        "reason": "section Custom Modules: parties may add their own module IDs "
        "to ModuleID, e.g. nltnm-tokens",
    },
    ("version_information_endpoint_version_class", "version"): {
        "also_accepts_other_strings": True,
        "kind": DELIBERATE,
        "reason": "VersionNumber lists the versions 2.2.1 knew of; a partner's "
        "versions list names later ones (2.3.0) and must stay readable",
    },
    ("version_information_get_details_endpoint_data", "version"): {
        "also_accepts_other_strings": True,
        "kind": DELIBERATE,
        "reason": "as for Version.version",
    },
    ("credentials_credentials_object", "token"): {
        "charset": "printable non-whitespace ASCII",
        "kind": SPEC_TEXT,
        "reason": "token's description limits it to printable ASCII without "
        "whitespace (U+0021 to U+007E)",
    },
    ("transport_and_format_response_format", "status_message"): {
        "charset": "any",
        "kind": DELIBERATE,
        "reason": "a debugging aid: a newline in a partner's message must not "
        "make its whole response, status code included, unreadable",
    },
}

PRIM_OF_OUR_TYPE = {
    "CiString": "CiString",
    "string": "string",
    "token": "string",
    "text": "string",
    "URL": "URL",
    "DateTime": "DateTime",
    "number": "number",
    "int": "int",
    "boolean": "boolean",
}

FIELDS = [
    (type_id, spec_field["name"])
    for type_id in OBJECT_IDS
    for spec_field in SCHEMA[type_id]["fields"]
]


def _spec_field(type_id: str, name: str) -> dict[str, Any]:
    return next(f for f in SCHEMA[type_id]["fields"] if f["name"] == name)


def _shape(type_id: str, name: str) -> Any:
    return field_shape(model_for(type_id).model_fields[name])


def _errors(model: type[BaseModel], data: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return [dict(e) for e in exc.errors(include_url=False)]
    return []


def _with(type_id: str, name: str, value: Any) -> dict[str, Any]:
    data = payload(type_id, full=True)
    data[name] = value
    return data


def _as_card(type_id: str, name: str, value: Any) -> tuple[Any, tuple[Any, ...]]:
    """`value` placed as the field's cardinality wants, and its error location."""
    if _spec_field(type_id, name)["card"] in ("*", "+"):
        return [value], (name, 0)
    return value, (name,)


# --- coverage and enums ------------------------------------------------------------------


def test_every_table_has_an_implementation() -> None:
    assert set(IMPLEMENTATION) == set(SCHEMA)
    assert len(SCHEMA) == 90


@pytest.mark.parametrize("type_id", ENUM_IDS)
def test_enum_values_match(type_id: str) -> None:
    enum_class = IMPLEMENTATION[type_id]
    assert [member.value for member in enum_class] == SCHEMA[type_id]["values"]


def test_session_only_dimension_types_match() -> None:
    table = SCHEMA["mod_cdrs_cdrdimensiontype_enum"]
    ours = [t.value for t in m.CdrDimensionType if t.session_only]
    assert sorted(ours) == sorted(table["session_only"])


def test_status_codes_are_the_spec_list() -> None:
    assert [code.value for code in m.StatusCode] == [
        1000, 2000, 2001, 2002, 2003, 2004, 3000, 3001, 3002, 3003, 4000, 4001, 4002, 4003
    ]  # fmt: skip


# --- declared shape ----------------------------------------------------------------------


@pytest.mark.parametrize("type_id", OBJECT_IDS)
def test_field_names_and_order_match(type_id: str) -> None:
    names = [f["name"] for f in SCHEMA[type_id]["fields"]]
    assert list(model_for(type_id).model_fields) == names


@pytest.mark.parametrize(("type_id", "name"), FIELDS)
def test_cardinality_matches(type_id: str, name: str) -> None:
    card = _spec_field(type_id, name)["card"]
    shape = _shape(type_id, name)
    if card == "* or ?":  # the envelope's data: list or object, optional
        assert not shape.required
        return
    assert shape.required == (card in ("1", "+"))
    assert shape.is_list == (card in ("*", "+"))
    assert shape.min_items == (1 if card == "+" else None)


@pytest.mark.parametrize(("type_id", "name"), FIELDS)
def test_type_matches(type_id: str, name: str) -> None:
    spec_type = _spec_field(type_id, name)["type"]
    override = OVERRIDES.get((type_id, name), {})
    shape = _shape(type_id, name)
    if "raw" in spec_type:
        return
    if "ref" in spec_type:
        target = IMPLEMENTATION[spec_type["ref"]]
        assert shape.inner[0] is target
        others = shape.inner[1:]
        assert bool(others) == override.get("also_accepts_other_strings", False)
        assert all(other is str for other in others)
        return
    assert shape.ocpi is not None, "a primitive field carries its OcpiType"
    assert PRIM_OF_OUR_TYPE[shape.ocpi.prim] == spec_type["prim"]
    assert shape.ocpi.max_length == spec_type.get("maxlen")
    assert shape.ocpi.max_digits == spec_type.get("maxdigits")
    expected_pattern = override.get("pattern", _spec_field(type_id, name).get("regex"))
    assert shape.ocpi.pattern == expected_pattern


def test_overrides_are_still_needed() -> None:
    for (type_id, name), override in OVERRIDES.items():
        spec_field = _spec_field(type_id, name)
        assert override["kind"] in (SPEC_TEXT, DELIBERATE)
        assert override["reason"]
        if "pattern" in override:
            assert spec_field.get("regex") != override["pattern"]
        if "also_accepts_other_strings" in override:
            assert "ref" in spec_field["type"]
            assert SCHEMA[spec_field["type"]["ref"]]["kind"] == "enum"


# --- behaviour -----------------------------------------------------------------------------


@pytest.mark.parametrize("type_id", OBJECT_IDS)
@pytest.mark.parametrize("full", [False, True], ids=["required-only", "all-fields"])
def test_payload_built_from_the_table_validates(type_id: str, full: bool) -> None:
    assert _errors(model_for(type_id), payload(type_id, full=full)) == []


REQUIRED = [(t, n) for t, n in FIELDS if _spec_field(t, n)["card"] in ("1", "+")]


@pytest.mark.parametrize(("type_id", "name"), REQUIRED)
def test_missing_required_field_is_refused_there(type_id: str, name: str) -> None:
    data = payload(type_id, full=True)
    del data[name]
    errors = _errors(model_for(type_id), data)
    assert [(e["type"], e["loc"]) for e in errors] == [("missing", (name,))]


LISTS = [(t, n) for t, n in FIELDS if _spec_field(t, n)["card"] in ("*", "+")]


@pytest.mark.parametrize(("type_id", "name"), LISTS)
def test_empty_list_only_where_allowed(type_id: str, name: str) -> None:
    data = _with(type_id, name, [])
    if (type_id, name) == ("mod_locations_hours_class", "regular_hours"):
        data["twentyfourseven"] = True  # else the spec's prose wants an entry
    errors = _errors(model_for(type_id), data)
    if _spec_field(type_id, name)["card"] == "+":
        assert [(e["type"], e["loc"]) for e in errors] == [("too_short", (name,))]
    else:
        assert errors == []


@pytest.mark.parametrize(("type_id", "name"), LISTS)
def test_list_field_refuses_a_single_value(type_id: str, name: str) -> None:
    data = payload(type_id, full=True)
    data[name] = data[name][0]
    errors = _errors(model_for(type_id), data)
    assert errors
    assert {e["loc"][0] for e in errors} == {name}


LENGTH_LIMITED = [
    (t, n)
    for t, n in FIELDS
    if "maxlen" in _spec_field(t, n)["type"] and _spec_field(t, n)["type"]["prim"] != "DateTime"
]


def _text_of_length(type_id: str, name: str, length: int) -> str:
    prim = _spec_field(type_id, name)["type"]["prim"]
    if name in PATTERN_SAMPLES and _shape(type_id, name).ocpi.pattern:
        sample = PATTERN_SAMPLES[name]
        return sample + "0" * (length - len(sample)) if length > len(sample) else sample
    if prim == "URL":
        return "https://example.com/" + "a" * (length - len("https://example.com/"))
    return "A" * length


@pytest.mark.parametrize(("type_id", "name"), LENGTH_LIMITED)
def test_maximum_length_is_enforced(type_id: str, name: str) -> None:
    limit = _spec_field(type_id, name)["type"]["maxlen"]
    model = model_for(type_id)
    longest, _ = _as_card(type_id, name, _text_of_length(type_id, name, limit))
    assert _errors(model, _with(type_id, name, longest)) == []
    too_long, loc = _as_card(type_id, name, _text_of_length(type_id, name, limit + 1))
    errors = _errors(model, _with(type_id, name, too_long))
    assert [e["loc"] for e in errors] == [loc]
    assert errors[0]["type"] in ("string_too_long", "string_pattern_mismatch")


STRINGS = [
    (t, n)
    for t, n in FIELDS
    if _spec_field(t, n)["type"].get("prim") in ("CiString", "string")
    and not _spec_field(t, n).get("regex")
    and (t, n) not in {k for k, v in OVERRIDES.items() if "pattern" in v}
]


@pytest.mark.parametrize(("type_id", "name"), STRINGS)
def test_cistring_is_ascii_and_string_is_utf8(type_id: str, name: str) -> None:
    prim = _spec_field(type_id, name)["type"]["prim"]
    charset = OVERRIDES.get((type_id, name), {}).get("charset")
    value, loc = _as_card(type_id, name, "é")
    errors = _errors(model_for(type_id), _with(type_id, name, value))
    if prim == "CiString" or charset == "printable non-whitespace ASCII":
        assert [e["loc"] for e in errors] == [loc]
    else:
        assert errors == []
    control, loc = _as_card(type_id, name, "\n")
    errors = _errors(model_for(type_id), _with(type_id, name, control))
    if charset == "any":
        assert errors == []
    else:
        assert [e["loc"] for e in errors] == [loc]


WRONG_JSON_TYPE = {
    "CiString": 12,
    "string": 12,
    "URL": 12,
    "DateTime": "next tuesday",
    "number": "1.5",
    "int": "1",
    "boolean": "true",
}
PRIMITIVES = [(t, n) for t, n in FIELDS if _spec_field(t, n)["type"].get("prim") in WRONG_JSON_TYPE]


@pytest.mark.parametrize(("type_id", "name"), PRIMITIVES)
def test_wrong_json_type_is_refused(type_id: str, name: str) -> None:
    wrong = WRONG_JSON_TYPE[_spec_field(type_id, name)["type"]["prim"]]
    value, loc = _as_card(type_id, name, wrong)
    errors = _errors(model_for(type_id), _with(type_id, name, value))
    assert [e["loc"] for e in errors] == [loc]


REFS = [(t, n) for t, n in FIELDS if "ref" in _spec_field(t, n)["type"]]


@pytest.mark.parametrize(("type_id", "name"), REFS)
def test_referenced_type_is_checked(type_id: str, name: str) -> None:
    ref = _spec_field(type_id, name)["type"]["ref"]
    model = model_for(type_id)
    if SCHEMA[ref]["kind"] == "enum":
        value, loc = _as_card(type_id, name, "NOT_A_VALUE")
        errors = _errors(model, _with(type_id, name, value))
        if OVERRIDES.get((type_id, name), {}).get("also_accepts_other_strings"):
            assert errors == []
            parsed = getattr(model.model_validate(_with(type_id, name, value)), name)
            assert parsed == value
        else:
            assert [(e["type"], e["loc"]) for e in errors] == [("enum", loc)]
            assert errors[0]["ctx"]["enum"] == IMPLEMENTATION[ref].__name__
        return
    value, loc = _as_card(type_id, name, "not an object")
    errors = _errors(model, _with(type_id, name, value))
    assert [e["loc"] for e in errors] == [loc]
    # An error inside the nested object is reported with its full path.
    nested = copy.deepcopy(payload(ref, full=True))
    inner_field = next(f for f in SCHEMA[ref]["fields"] if f["card"] in ("1", "?"))
    inner = inner_field["name"]
    is_object = (
        "ref" in inner_field["type"] and SCHEMA[inner_field["type"]["ref"]]["kind"] == "object"
    )
    nested[inner] = "not an object" if is_object else {"not": "a scalar"}
    value, loc = _as_card(type_id, name, nested)
    errors = _errors(model, _with(type_id, name, value))
    assert [e["loc"] for e in errors] == [(*loc, inner)]


DATETIMES = [(t, n) for t, n in FIELDS if _spec_field(t, n)["type"].get("prim") == "DateTime"]


@pytest.mark.parametrize(("type_id", "name"), DATETIMES)
def test_datetime_output_fits_string_25(type_id: str, name: str) -> None:
    value, _ = _as_card(type_id, name, "2020-01-01T12:34:56.123456789-11:30")
    parsed = model_for(type_id).model_validate(_with(type_id, name, value))
    written = m.dump(parsed)[name]
    text = written[0] if isinstance(written, list) else written
    assert text == "2020-01-02T00:04:56.123Z"
    assert len(text) <= _spec_field(type_id, name)["type"]["maxlen"]
