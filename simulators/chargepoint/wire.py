"""Helpers shared by the two dialects' wire code: typed `@on`, the link mixin, numbers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ocpp.routing import on

if TYPE_CHECKING:
    from .station import Station

__all__ = ["OCPP_LOGGER", "StationLink", "handles", "rounded"]

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
