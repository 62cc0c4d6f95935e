"""Wall-clock helpers: every timestamp the simulator sends is RFC 3339 UTC with a `Z`."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["format_rfc3339", "parse_rfc3339", "utc_now"]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def format_rfc3339(moment: datetime) -> str:
    """`moment` as RFC 3339 in UTC with millisecond precision and a `Z` suffix.

    A naive datetime is taken to be UTC already.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def parse_rfc3339(text: str) -> datetime:
    """Parse a timestamp sent by a CSMS, leniently.

    Real central systems send `Z`, `+00:00`, or no zone at all; a timestamp without a
    zone is read as UTC (PITFALLS: "Timestamps without a zone mean UTC").

    Raises:
        ValueError: when `text` is not an ISO 8601 timestamp.
    """
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
