"""OCPI primitive types: DateTime, number, int, boolean, CiString, string, URL."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ocpi_gateway.v221.models import (
    CiString36,
    DateTime,
    DisplayText,
    Image,
    Number,
    OcpiModel,
    Price,
    ci_key,
    format_datetime,
    parse_datetime,
    to_json_bytes,
    validate_json,
)


class Sample(OcpiModel):
    """A model with one field of each primitive, for these tests."""

    when: DateTime | None = None
    amount: Number | None = None
    ident: CiString36 | None = None


def _error_types(data: dict[str, object]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(data)
    return [e["type"] for e in caught.value.errors()]


# --- DateTime -----------------------------------------------------------------------------

UTC_2015 = datetime(2015, 6, 29, 20, 39, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The formats the spec lists (types, DateTime).
        ("2015-06-29T20:39:09Z", UTC_2015),
        ("2015-06-29T20:39:09", UTC_2015),
        ("2016-12-29T17:45:09.2Z", datetime(2016, 12, 29, 17, 45, 9, 200000, tzinfo=UTC)),
        ("2016-12-29T17:45:09.2", datetime(2016, 12, 29, 17, 45, 9, 200000, tzinfo=UTC)),
        ("2018-01-01T01:08:01.123Z", datetime(2018, 1, 1, 1, 8, 1, 123000, tzinfo=UTC)),
        ("2018-01-01T01:08:01.123", datetime(2018, 1, 1, 1, 8, 1, 123000, tzinfo=UTC)),
        # What real systems send besides: offsets, lower-case z, a space,
        # nanoseconds, a comma as decimal sign.
        ("2015-06-29T22:39:09+02:00", UTC_2015),
        ("2015-06-29T22:39:09+02", UTC_2015),
        ("2015-06-29T22:39:09+0200", UTC_2015),
        ("2015-06-29T18:09:09-02:30", UTC_2015),
        ("2015-06-29T20:39:09+00:00", UTC_2015),
        ("2015-06-29t20:39:09z", UTC_2015),
        ("2015-06-29 20:39:09", UTC_2015),
        ("2015-06-29T20:39:09.123456789Z", UTC_2015.replace(microsecond=123456)),
        ("2015-06-29T20:39:09,5Z", UTC_2015.replace(microsecond=500000)),
        (" 2015-06-29T20:39:09Z ", UTC_2015),
        ("1970-01-01T00:00:00Z", datetime(1970, 1, 1, tzinfo=UTC)),
    ],
)
def test_datetime_is_read_leniently_into_utc(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)
    assert Sample.model_validate({"when": text}).when == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2015-06-29",
        "20:39:09",
        "2015-06-29T20:39",
        "20150629T203909Z",
        "2015-13-29T20:39:09Z",
        "2015-02-30T20:39:09Z",
        "2015-06-29T24:00:00Z",
        "2015-06-29T20:39:60Z",
        "2015-06-29T20:39:09+24:00",
        "2015-06-29T20:39:09 +02:00",
        "2015-06-29T20:39:09Zjunk",
        "yesterday",
    ],
)
def test_malformed_datetime_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"not an RFC 3339|impossible|out of range|must be in"):
        parse_datetime(text)
    assert _error_types({"when": text}) == ["ocpi_datetime"]


@pytest.mark.parametrize("value", [1435610349, 1435610349.0, True, ["2015-06-29T20:39:09Z"]])
def test_datetime_must_be_a_string(value: object) -> None:
    assert _error_types({"when": value}) == ["ocpi_datetime"]


def test_datetime_objects_are_normalised_to_utc() -> None:
    cest = timezone(timedelta(hours=2))
    aware = Sample(when=datetime(2015, 6, 29, 22, 39, 9, tzinfo=cest))
    naive = Sample(when=datetime(2015, 6, 29, 20, 39, 9))
    assert aware.when == naive.when == UTC_2015
    assert aware.when is not None
    assert aware.when.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (UTC_2015, "2015-06-29T20:39:09Z"),
        (UTC_2015.replace(microsecond=200000), "2015-06-29T20:39:09.2Z"),
        (UTC_2015.replace(microsecond=123000), "2015-06-29T20:39:09.123Z"),
        # Cut, not rounded, to milliseconds: never into the next second.
        (UTC_2015.replace(microsecond=999999), "2015-06-29T20:39:09.999Z"),
        (UTC_2015.replace(microsecond=400), "2015-06-29T20:39:09Z"),
        (
            datetime(2015, 6, 29, 22, 39, 9, tzinfo=timezone(timedelta(hours=2))),
            "2015-06-29T20:39:09Z",
        ),
        (datetime(2015, 6, 29, 20, 39, 9), "2015-06-29T20:39:09Z"),
        (datetime(9, 1, 2, 3, 4, 5, tzinfo=UTC), "0009-01-02T03:04:05Z"),
    ],
)
def test_datetime_is_written_rfc3339_utc_with_z(value: datetime, text: str) -> None:
    assert format_datetime(value) == text
    assert json.loads(to_json_bytes(Sample(when=value)))["when"] == text
    assert Sample(when=value).model_dump(mode="json")["when"] == text


@given(st.datetimes(timezones=st.just(UTC)))
def test_datetime_written_reads_back_to_the_millisecond(value: datetime) -> None:
    text = format_datetime(value)
    assert len(text) <= 25  # types, DateTime: string(25)
    assert parse_datetime(text) == value.replace(microsecond=value.microsecond // 1000 * 1000)


# --- number -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"amount": 2.00}', "2.00"),
        ('{"amount": 0.123456789012}', "0.123456789012"),
        ('{"amount": 123456789012345678.25}', "123456789012345678.25"),
        ('{"amount": 5}', "5"),
        ('{"amount": -0.5}', "-0.5"),
        ('{"amount": 1e3}', "1E+3"),
        ('{"amount": 2.5E-3}', "0.0025"),
    ],
)
def test_number_is_read_exactly(text: str, expected: str) -> None:
    sample = validate_json(Sample, text)
    assert sample.amount is not None
    assert str(sample.amount) == expected


@pytest.mark.parametrize(
    "body",
    [
        '{"amount": "2.50"}',
        '{"amount": true}',
        '{"amount": null, "ident": 5}',
        '{"amount": [1]}',
        '{"amount": 1e40}',
        '{"amount": 0.0000000000001}',
    ],
)
def test_non_numbers_and_unreasonable_numbers_are_refused(body: str) -> None:
    with pytest.raises(ValidationError):
        validate_json(Sample, body)


@pytest.mark.parametrize(
    "body", ['{"amount": NaN}', '{"amount": Infinity}', '{"amount": -Infinity}']
)
def test_nan_and_infinity_are_not_json(body: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_json(Sample, body)
    assert caught.value.errors()[0]["type"] == "json_invalid"


def test_number_is_written_as_a_json_number_with_its_digits() -> None:
    price = Price(excl_vat=Decimal("2.00"), incl_vat=Decimal("123456789012345678.250001"))
    assert to_json_bytes(price) == b'{"excl_vat":2.00,"incl_vat":123456789012345678.250001}'


def test_pydantic_json_mode_writes_numbers_when_exact_and_refuses_otherwise() -> None:
    exact = Price(excl_vat=Decimal("2.50"), incl_vat=Decimal("3"))
    assert exact.model_dump(mode="json") == {"excl_vat": 2.5, "incl_vat": 3}
    assert exact.model_dump_json() == '{"excl_vat":2.5,"incl_vat":3}'
    inexact = Price(excl_vat=Decimal("123456789012345678.250001"))
    with pytest.raises(ValueError, match="use to_json_bytes"):
        inexact.model_dump_json()


@given(
    st.decimals(
        allow_nan=False,
        allow_infinity=False,
        min_value=Decimal("-1e17"),
        max_value=Decimal("1e17"),
        places=4,
    )
)
def test_number_round_trips_exactly(value: Decimal) -> None:
    written = to_json_bytes(Price(excl_vat=value))
    read = validate_json(Price, written)
    assert read.excl_vat == value
    assert str(read.excl_vat) == str(value)


# --- int and boolean -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["512", 512.0, True, None])
def test_int_is_strict(value: object) -> None:
    data = {"url": "https://example.com/a.png", "category": "OTHER", "type": "png", "width": value}
    if value is None:
        assert Image.model_validate(data).width is None
        return
    with pytest.raises(ValidationError) as caught:
        Image.model_validate(data)
    assert caught.value.errors()[0]["type"] == "int_type"


@pytest.mark.parametrize(("width", "ok"), [(0, True), (99999, True), (100000, False), (-1, False)])
def test_int5_has_at_most_five_digits(width: int, ok: bool) -> None:
    data = {"url": "https://example.com/a.png", "category": "OTHER", "type": "png", "width": width}
    if ok:
        assert Image.model_validate(data).width == width
    else:
        with pytest.raises(ValidationError):
            Image.model_validate(data)


# --- strings -----------------------------------------------------------------------------


def test_cistring_keeps_case_and_compares_case_insensitively() -> None:
    sample = Sample(ident="AbC-123")
    assert sample.ident == "AbC-123"
    assert ci_key("AbC-123") == ci_key("abc-123") != ci_key("abc-124")


@pytest.mark.parametrize("text", ["tab\there", "line\nbreak", "cr\r", "nul\x00", "del\x7f"])
def test_string_refuses_control_characters(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        DisplayText(language="en", text=text)
    assert caught.value.errors()[0]["type"] == "ocpi_string_charset"


def test_string_accepts_any_printable_unicode() -> None:
    text = "Köln – Straße 7 ✓ 東京 👍"
    assert DisplayText(language="de", text=text).text == text


@pytest.mark.parametrize(
    "url",
    [
        "example.com/a.png",
        "/a.png",
        "https://",
        "https://exa mple.com/",
        "https://example.com/\n",
        "",
    ],
)
def test_url_must_be_absolute(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Image(url=url, category="OTHER", type="png")
    assert caught.value.errors()[0]["type"] in ("ocpi_url", "ocpi_string_charset")


@given(st.text(max_size=512))
def test_string_accepts_exactly_the_printable_texts(text: str) -> None:
    printable = all(unicodedata.category(c) not in ("Cc", "Cs") for c in text)
    try:
        shown = DisplayText(language="en", text=text)
    except ValidationError:
        assert not printable
    else:
        assert printable
        assert validate_json(DisplayText, to_json_bytes(shown)) == shown


@given(st.text(max_size=36))
def test_cistring_accepts_exactly_printable_ascii(text: str) -> None:
    try:
        Sample(ident=text)
    except ValidationError:
        assert not all(" " <= c <= "~" for c in text)
    else:
        assert all(" " <= c <= "~" for c in text)
