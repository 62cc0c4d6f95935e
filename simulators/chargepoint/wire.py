"""Helpers shared by the two dialects' wire code: typed `@on`, the link mixin, numbers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ocpp.routing import on

from .profiles import ProfileKind, RateUnit, Schedule, SchedulePeriod
from .timeutil import parse_rfc3339

if TYPE_CHECKING:
    from .station import Station

__all__ = ["OCPP_LOGGER", "StationLink", "handles", "optional_time", "parse_schedule", "rounded"]

# The library logs every frame at INFO; a fleet keeps that quiet unless asked for.
OCPP_LOGGER = logging.getLogger("simulators.chargepoint.ocpp")

_Handler = TypeVar("_Handler", bound=Callable[..., Any])


def handles(action: str) -> Callable[[_Handler], _Handler]:
    """The library's `@on(action)`, typed so that handlers keep their signatures."""
    return cast(Callable[[_Handler], _Handler], on(action))


class StationLink:
    """Mixed into the library's ChargePoint: ties it to a station for one connection.

    Every incoming CALL is handled with the station holding back its outgoing messages;
    they are queued only once the CALLRESULT has been sent (PITFALLS: never send, let
    alone await, a call from inside a handler).
    """

    _station: Station

    async def route_message(self, raw_msg: str) -> None:
        """Route one frame; release the station's held messages after the answer."""
        station = self._station
        station.stats.messages_received += 1
        station.hold()
        try:
            await super().route_message(raw_msg)  # type: ignore[misc]
        finally:
            station.release()
        if raw_msg.lstrip("[ \t\r\n").startswith("2"):
            station.stats.messages_sent += 1  # our CALLRESULT or CALLERROR


def rounded(value: float, digits: int) -> float:
    """`value` rounded for the wire, as a float.

    PITFALLS: the library's encoder writes Decimals with one decimal place; floats keep the
    digits we choose here.
    """
    return round(float(value), digits)


def optional_time(value: object) -> datetime | None:
    """A timestamp from the CSMS, if present (parsed leniently, as UTC)."""
    return parse_rfc3339(str(value)) if value is not None else None


def parse_schedule(wire: Mapping[str, Any], kind: ProfileKind, received: datetime) -> Schedule:
    """A ChargingSchedule(Type), the same shape in 1.6 and 2.0.1 once in snake_case.

    Limits arrive as Decimal in 1.6 (the library parses them so) and become floats.
    An absolute schedule without a start runs from the moment it arrived.
    """
    periods = tuple(
        SchedulePeriod(
            start_s=int(p["start_period"]),
            limit=float(p["limit"]),
            phases=int(p["number_phases"]) if p.get("number_phases") else None,
        )
        for p in wire["charging_schedule_period"]
    )
    start = optional_time(wire.get("start_schedule"))
    if kind is ProfileKind.ABSOLUTE and start is None:
        start = received
    min_rate = wire.get("min_charging_rate")
    return Schedule(
        unit=RateUnit(wire["charging_rate_unit"]),
        periods=periods,
        start=start,
        duration_s=wire.get("duration"),
        min_rate=float(min_rate) if min_rate is not None else None,
    )
