"""Device-model variables whose value is a live reading (2.0.1 part 2, appendix 3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..connector import to_v201_status
from ..device_model import DataType, Mutability, Setting, VariableKey
from ..evse import Connector, Evse
from ..timeutil import format_rfc3339, utc_now

if TYPE_CHECKING:
    from ..station import Station

__all__ = ["add_live_variables"]

_RO = Mutability.READ_ONLY
_AVAILABILITY = ("Available", "Occupied", "Reserved", "Unavailable", "Faulted")


def add_live_variables(station: Station) -> None:
    """Add AvailabilityState of station, EVSEs and connectors, the clock and EVSE power."""
    charging, model = station.charging, station.device_model

    def station_state() -> str:
        return "Available" if charging.station_operative else "Unavailable"

    model.add(_live(VariableKey("ChargingStation", "AvailabilityState"), station_state))
    model.add(
        _live(
            VariableKey("ClockCtrlr", "DateTime"),
            lambda: format_rfc3339(utc_now()),
            DataType.DATETIME,
        )
    )
    for evse in charging.evses:
        key = VariableKey("EVSE", "AvailabilityState", evse_id=evse.evse_id)
        model.add(_live(key, _evse_state(evse)))
        power = VariableKey("EVSE", "Power", evse_id=evse.evse_id)
        rated = int(evse.meter.rating.max_power_w)
        model.add(_live(power, _evse_power(station, evse), DataType.DECIMAL, "W", rated))
        for connector in evse.connectors:
            key = VariableKey(
                "Connector",
                "AvailabilityState",
                evse_id=evse.evse_id,
                connector_id=connector.connector_id,
            )
            model.add(_live(key, _connector_state(connector)))


def _live(
    key: VariableKey,
    reader: Callable[[], str],
    data_type: DataType = DataType.OPTION_LIST,
    unit: str | None = None,
    max_value: int | None = None,
) -> Setting:
    values = _AVAILABILITY if key.variable == "AvailabilityState" else None
    return Setting(
        key,
        "",
        data_type,
        _RO,
        unit=unit,
        max_value=max_value,
        values_list=values,
        reader=reader,
    )


def _connector_state(connector: Connector) -> Callable[[], str]:
    return lambda: to_v201_status(connector.state)


def _evse_state(evse: Evse) -> Callable[[], str]:
    def read() -> str:
        states = [to_v201_status(c.state) for c in evse.connectors]
        for preferred in ("Occupied", "Reserved", "Faulted", "Unavailable"):
            if preferred in states:
                return preferred
        return "Available"

    return read


def _evse_power(station: Station, evse: Evse) -> Callable[[], str]:
    return lambda: f"{evse.meter.read(station.charging.now()).power_w:.1f}"
