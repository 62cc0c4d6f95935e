"""Timestamps on the wire: lenient when reading what chargers send, strict when writing.

The OCPP JSON schemas type every time as ``"format": "date-time"``, i.e. RFC 3339 §5.6
with a mandatory zone; OCPP 2.0.1 Part 2 (primitive datatype ``dateTime``) adds that times
are exchanged in UTC with at most millisecond precision. Real chargers send times without
an offset, with ``+02``/``+0200`` offsets, with a space instead of ``T``, with any number of
fractional digits, and dates from 1970 when their clock was not set before boot (PITFALLS
"Real chargers" #1). :func:`parse_charger_timestamp` accepts all of those and says which
assumption it made; :func:`format_timestamp` writes exactly one form,
``YYYY-MM-DDThh:mm:ss.sssZ``.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

__all__ = [
    "SANE_SINCE",
    "ParsedTime",
    "format_timestamp",
    "is_charger_timestamp",
    "is_rfc3339",
    "parse_charger_timestamp",
]

#: Times before this are "suspicious": OCPP-J 1.6 dates from 2015, so an earlier clock was
#: never set (1970-01-01 and 2000-01-01 are the usual RTC defaults).
SANE_SINCE: Final = datetime(2015, 1, 1, tzinfo=UTC)

#: How far ahead of ``now`` a charger's clock may run before its times are suspicious.
_FUTURE_SLACK: Final = timedelta(days=1)

# What we accept from chargers: date, 'T'/'t'/space, hh:mm[:ss[.frac]], optional zone as
# Z, ±hh, ±hhmm or ±hh:mm. Anything else (week dates, basic format, date only) is garbage.
_CHARGER: Final = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2})(?:(:\d{2})([.,]\d+)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?"
)

# RFC 3339 §5.6 date-time, as strict ocpp-rpc peers check it: seconds required, zone required.
_RFC3339: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:(\d{2})(\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})"
)


# The common subset of both: what datetime.fromisoformat reads without help.
_PLAIN: Final = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")


@dataclass(frozen=True, slots=True)
class ParsedTime:
    """A charger's timestamp read leniently.

    ``value`` is timezone-aware UTC. ``assumed_utc`` says the text had no zone and UTC was
    assumed; ``suspicious`` says the time looks like an unset clock (before
    :data:`SANE_SINCE`, or more than a day ahead of the ``now`` given to the parser).
    """

    value: datetime
    assumed_utc: bool
    suspicious: bool


def parse_charger_timestamp(text: str, *, now: datetime | None = None) -> ParsedTime:
    """Read a timestamp as chargers really send it; raise ``ValueError`` on garbage.

    Accepted: ``2024-05-01T12:00:00Z``, ``…+02:00``, ``…+0200``, ``…+02``, no zone at all
    (UTC assumed), ``t``/``z`` in lower case, a space instead of ``T``, missing seconds, and a
    fraction of any length (cut to microseconds). A leap second (``:60``) reads as
    ``:59.999999``. Pass ``now`` to flag clocks running more than a day fast as well.
    """
    value = _read(text)
    assumed_utc = value.tzinfo is None
    value = value.replace(tzinfo=UTC) if assumed_utc else value.astimezone(UTC)
    suspicious = value < SANE_SINCE or (now is not None and value > now + _FUTURE_SLACK)
    return ParsedTime(value, assumed_utc, suspicious)


def _read(text: str) -> datetime:
    """The datetime ``text`` names, naive when it has no zone; ``ValueError`` on garbage."""
    # Fast path for the shape nearly every charger sends: fromisoformat reads it as it is.
    if _PLAIN.fullmatch(text) is not None:
        with suppress(ValueError):  # a leap second, or out of range: the slow path decides
            return datetime.fromisoformat(text)
    match = _CHARGER.fullmatch(text)
    if match is None:
        raise ValueError(f"not a timestamp: {text[:64]!r}")
    day, hour_minute, seconds, fraction, zone = match.groups()
    if seconds == ":60":
        seconds, fraction = ":59", ".999999"
    # The regex admits only shapes that datetime.fromisoformat reads; it still checks the
    # ranges (month 13, hour 24, offset ±24:00) and raises ValueError for them.
    iso = f"{day}T{hour_minute}{seconds or ''}{(fraction or '')[:7]}{_iso_zone(zone)}"
    return datetime.fromisoformat(iso)


def _iso_zone(zone: str | None) -> str:
    """Write a zone as fromisoformat reads it: ``+00:00``, ``+02``, ``+0200`` or ``+02:00``."""
    if zone is None:
        return ""
    if zone in ("Z", "z"):
        return "+00:00"
    return zone


def is_charger_timestamp(text: str) -> bool:
    """True when :func:`parse_charger_timestamp` accepts ``text`` (the lenient policy)."""
    try:
        _read(text)
    except ValueError:
        return False
    return True


def is_rfc3339(text: str) -> bool:
    """True when ``text`` is an RFC 3339 date-time with a zone (the strict policy).

    This is what a strict ocpp-rpc peer demands: ``YYYY-MM-DDThh:mm:ss[.frac]`` then ``Z`` or
    ``±hh:mm``, with real calendar and clock ranges (second 60 allowed for leap seconds).
    """
    match = _RFC3339.fullmatch(text)
    if match is None:
        return False
    if match.group(1) == "60":
        text = f"{text[: match.start(1)]}59{text[match.end(1) :]}"
    if text[-1] in "Zz":
        text = f"{text[:-1]}+00:00"
    try:
        datetime.fromisoformat(text.replace("t", "T", 1))
    except ValueError:
        return False
    return True


def format_timestamp(value: datetime) -> str:
    """Write ``value`` as RFC 3339 in UTC with millisecond precision and ``Z``.

    Raises ``ValueError`` for a naive datetime: every time in Laddpunkt is timezone-aware,
    and guessing a zone on the way out would hide a bug.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} cannot be sent; use UTC")
    utc = value.astimezone(UTC)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )
