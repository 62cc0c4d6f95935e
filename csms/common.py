"""Small helpers both OCPP versions' handlers use."""

from __future__ import annotations

from datetime import UTC, datetime

from csms.context import StationContext
from csms.ocppj import parse_charger_timestamp

__all__ = ["charger_time", "now_utc"]


def now_utc() -> datetime:
    return datetime.now(UTC)


def charger_time(ctx: StationContext, text: str | None, field: str) -> datetime | None:
    """A timestamp from the charger, parsed leniently (PITFALLS "Real chargers" #1).

    No zone → UTC. A clock that was never set (1970…, or far in the future) would wreck
    billing and ordering, so the time of receipt stands in for it; garbage → None. Each case
    is logged with the value the charger sent.
    """
    if text is None:
        return None
    try:
        parsed = parse_charger_timestamp(text)
    except ValueError:
        ctx.log.warning("ocpp.timestamp.invalid", field=field, value=text)
        return None
    if parsed.assumed_utc:
        ctx.log.info("ocpp.timestamp.no_zone", field=field, value=text)
    if parsed.suspicious:
        ctx.log.warning("ocpp.timestamp.suspicious", field=field, value=text, replaced_by="now")
        return now_utc()
    return parsed.value
