"""Timestamps: lenient on input (real chargers), strict on output."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csms.ocppj import format_timestamp, parse_charger_timestamp
from csms.ocppj.timestamps import is_charger_timestamp, is_rfc3339


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected", "assumed_utc"),
    [
        ("2024-05-01T12:00:00Z", utc(2024, 5, 1, 12), False),
        ("2024-05-01T12:00:00.123Z", utc(2024, 5, 1, 12, 0, 0, 123000), False),
        ("2024-05-01t12:00:00z", utc(2024, 5, 1, 12), False),
        ("2024-05-01T14:00:00+02:00", utc(2024, 5, 1, 12), False),
        # PITFALLS "Real chargers" #1: +02 style offsets, without and with minutes.
        ("2024-05-01T14:00:00+02", utc(2024, 5, 1, 12), False),
        ("2024-05-01T14:30:00+0230", utc(2024, 5, 1, 12), False),
        ("2024-05-01T07:00:00-05:00", utc(2024, 5, 1, 12), False),
        # ... no zone at all: UTC, flagged.
        ("2024-05-01T12:00:00", utc(2024, 5, 1, 12), True),
        ("2024-05-01 12:00:00", utc(2024, 5, 1, 12), True),
        ("2024-05-01 12:00:00Z", utc(2024, 5, 1, 12), False),
        ("2024-05-01T12:00", utc(2024, 5, 1, 12), True),
        # Fractions of any length, cut to microseconds; a comma is ISO 8601 too.
        ("2024-05-01T12:00:00.1Z", utc(2024, 5, 1, 12, 0, 0, 100000), False),
        ("2024-05-01T12:00:00.123456789Z", utc(2024, 5, 1, 12, 0, 0, 123456), False),
        ("2024-05-01T12:00:00,5", utc(2024, 5, 1, 12, 0, 0, 500000), True),
        # A leap second reads as the last microsecond before it.
        ("2016-12-31T23:59:60Z", utc(2016, 12, 31, 23, 59, 59, 999999), False),
        ("2024-02-29T00:00:00Z", utc(2024, 2, 29), False),
    ],
)
def test_lenient_parse(text: str, expected: datetime, assumed_utc: bool) -> None:
    parsed = parse_charger_timestamp(text)
    assert parsed.value == expected
    assert parsed.value.tzinfo is UTC
    assert parsed.assumed_utc is assumed_utc
    assert parsed.suspicious is False
    assert is_charger_timestamp(text)


@pytest.mark.parametrize(
    "text",
    [
        "1970-01-01T00:00:12Z",  # clock never set
        "1970-01-01T00:00:12",
        "2000-01-01T00:00:00Z",  # another RTC default
        "2014-12-31T23:59:59Z",
    ],
)
def test_unset_clocks_are_suspicious(text: str) -> None:
    assert parse_charger_timestamp(text).suspicious


def test_clock_running_ahead_is_suspicious_only_against_now() -> None:
    now = utc(2024, 5, 1, 12)
    assert not parse_charger_timestamp("2024-05-02T11:00:00Z", now=now).suspicious
    assert parse_charger_timestamp("2024-05-03T12:00:00Z", now=now).suspicious
    assert not parse_charger_timestamp("2024-05-03T12:00:00Z").suspicious


@pytest.mark.parametrize(
    "text",
    [
        "",
        "now",
        "2024-05-01",  # a date is not a timestamp
        "2024-W18-3T12:00:00Z",  # ISO week dates are not what OCPP means
        "20240501T120000Z",  # basic format
        "2024-13-01T12:00:00Z",
        "2024-02-30T12:00:00Z",
        "2023-02-29T12:00:00Z",
        "2024-05-01T24:00:00Z",
        "2024-05-01T12:61:00Z",
        "2024-05-01T12:00:00+24:00",
        "2024-05-01T12:00:00+02:00:00",
        "2024-05-01T12:00:00 Z",
        "2024-05-01T12:00:00.Z",
        "2024-05-01T12:00.5Z",
        " 2024-05-01T12:00:00Z",
        "2024-05-01T12:00:00Z\n",
        "1714564800",
    ],
)
def test_garbage_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message names the text
        parse_charger_timestamp(text)
    assert not is_charger_timestamp(text)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2024-05-01T12:00:00Z", True),
        ("2024-05-01T12:00:00.015221Z", True),
        ("2024-05-01t12:00:00z", True),
        ("2024-05-01T12:00:00+02:00", True),
        ("2024-05-01T12:00:00-00:00", True),
        ("2016-12-31T23:59:60Z", True),
        # What a strict ocpp-rpc peer refuses (tools/ocpp-peer README):
        ("2026-11-25T23:40:41.015221", False),
        ("2026-11-25 23:40:41Z", False),
        ("2024-05-01T12:00:00+02", False),
        ("2024-05-01T12:00:00+0200", False),
        ("2024-05-01T12:00Z", False),
        ("2024-02-30T12:00:00Z", False),
        ("2024-05-01T12:00:00+24:00", False),
        ("2024-05-01T25:00:00Z", False),
    ],
)
def test_strict_rfc3339(text: str, ok: bool) -> None:
    assert is_rfc3339(text) is ok


def test_format_is_utc_z_with_milliseconds() -> None:
    cest = timezone(timedelta(hours=2))
    assert format_timestamp(datetime(2024, 5, 1, 14, 0, 0, 123456, tzinfo=cest)) == (
        "2024-05-01T12:00:00.123Z"
    )
    assert format_timestamp(utc(1, 1, 1)) == "0001-01-01T00:00:00.000Z"


def test_format_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_timestamp(datetime(2024, 5, 1, 12))


aware_datetimes = st.datetimes(
    min_value=datetime(1900, 1, 2),
    max_value=datetime(9998, 12, 30),
    timezones=st.timezones(),
)


@given(aware_datetimes)
def test_format_then_parse_round_trips_to_the_millisecond(value: datetime) -> None:
    text = format_timestamp(value)
    assert is_rfc3339(text)
    parsed = parse_charger_timestamp(text)
    expected = value.astimezone(UTC)
    assert parsed.value == expected.replace(microsecond=expected.microsecond // 1000 * 1000)
    assert parsed.assumed_utc is False


@given(st.text(max_size=40))
def test_parse_raises_only_value_error(text: str) -> None:
    try:
        parsed = parse_charger_timestamp(text)
    except ValueError:
        assert not is_charger_timestamp(text)
    else:
        assert parsed.value.tzinfo is UTC
        assert is_charger_timestamp(text)


@given(st.text(alphabet="0123456789-:T.Zz+ t,", max_size=32))
def test_fast_and_slow_paths_agree(text: str) -> None:
    try:
        parse_charger_timestamp(text)
    except ValueError:
        accepted = False
    else:
        accepted = True
    assert is_charger_timestamp(text) is accepted
    if is_rfc3339(text):
        assert accepted
