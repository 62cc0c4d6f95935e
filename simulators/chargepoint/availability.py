"""Operative and inoperative connectors (OCPP 1.6 §5.2, 2.0.1 G03/G04).

A connector in use changes its availability only once it is free again: the answer is then
`Scheduled`. Availability survives a reboot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .connector import ConnectorEvent, ConnectorState
from .evse import Connector

if TYPE_CHECKING:
    from .charging import Charging
    from .station import Station

__all__ = ["Availability"]


class Availability:
    """Whether the station and each connector are operative."""

    def __init__(self, station: Station, charging: Charging) -> None:
        self._station = station
        self._charging = charging
        self.station_operative = True

    def set_operative(self, connector: Connector, operative: bool) -> None:
        """Make `connector` (in)operative now (it must not be in use)."""
        connector.operative = operative
        connector.pending_operative = None
        effective = operative and self.station_operative
        state = connector.state
        charging = self._charging
        if not effective and state is not ConnectorState.UNAVAILABLE:
            if state is ConnectorState.RESERVED:
                charging.reservations.release(connector)
            if connector.machine.allows(ConnectorEvent.DISABLE):
                charging.transition(connector, ConnectorEvent.DISABLE)
        elif effective and state is ConnectorState.UNAVAILABLE:
            charging.transition(connector, ConnectorEvent.ENABLE)

    def change(self, targets: list[Connector] | None, operative: bool) -> str:
        """ChangeAvailability: "Accepted" or "Scheduled"; `targets` None: the station."""
        station, charging = self._station, self._charging
        if targets is None:
            self.station_operative = operative
            for item in station.dialect.station_availability_changed():
                station.send(item)
            targets = list(charging.connectors())
        scheduled = False
        for connector in targets:
            evse = charging.evse_of(connector)
            if connector.machine.occupied or evse.transaction is not None:
                connector.pending_operative = operative
                scheduled = True
            else:
                self.set_operative(connector, operative)
        return "Scheduled" if scheduled else "Accepted"
