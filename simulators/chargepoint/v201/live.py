"""Live device-model values of a 2.0.1 station (2.0.1 part 2, appendix 3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..connector import to_v201_status
from ..device_model import VariableKey
from ..evse import Evse
from ..timeutil import format_rfc3339, utc_now

if TYPE_CHECKING:
    from ..station import Station

__all__ = ["LiveValues"]


class LiveValues:
    """Reads AvailabilityState (station, EVSE, connector), the clock and EVSE power."""

    __slots__ = ("_station",)

    def __init__(self, station: Station) -> None:
        self._station = station

    def __call__(self, key: VariableKey) -> str:
        """The current value of the live variable at `key`."""
        charging = self._station.charging
        if key.component == "ClockCtrlr":
            return format_rfc3339(utc_now())
        if key.component == "ChargingStation":
            return "Available" if charging.availability.station_operative else "Unavailable"
        evse = charging.evse(key.evse_id or 0)
        if evse is None:
            return ""
        if key.component == "Connector":
            connector = charging.connector(evse.evse_id, key.connector_id or 1)
            return to_v201_status(connector.state) if connector is not None else ""
        if key.variable == "Power":
            return f"{evse.meter.read(charging.now()).power_w:.1f}"
        return _evse_state(evse)


def _evse_state(evse: Evse) -> str:
    states = [to_v201_status(c.state) for c in evse.connectors]
    for preferred in ("Occupied", "Reserved", "Faulted", "Unavailable"):
        if preferred in states:
            return preferred
    return "Available"
