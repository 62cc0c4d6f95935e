"""Reservations of connectors (OCPP 1.6 §3.12 / §5.13, 2.0.1 H01–H04)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .connector import ConnectorEvent, ConnectorState
from .evse import Connector, Reservation
from .timeutil import utc_now

if TYPE_CHECKING:
    from .charging import Charging
    from .station import Station

__all__ = ["Reservations"]


class Reservations:
    """The reservations held by one station, each with an expiry timer."""

    def __init__(self, station: Station, charging: Charging) -> None:
        self._station = station
        self._charging = charging
        self._by_id: dict[int, Reservation] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, reservation_id: int) -> Reservation | None:
        """The reservation with `reservation_id`, if it is still held."""
        return self._by_id.get(reservation_id)

    def reserve(
        self, reservation_id: int, connector: Connector, id_tag: str, expires: datetime
    ) -> str:
        """ReserveNow: `Accepted`, `Faulted`, `Occupied`, `Rejected` or `Unavailable`.

        A reservation with an id already held is replaced (1.6 §5.13, H01).
        """
        previous = self._by_id.get(reservation_id)
        if previous is not None and previous.connector is connector:
            previous.id_tag, previous.expires = id_tag, expires
            self._arm(previous)
            return "Accepted"
        state = connector.state
        if state is ConnectorState.FAULTED:
            return "Faulted"
        if state is ConnectorState.UNAVAILABLE or not connector.operative:
            return "Unavailable"
        if state is not ConnectorState.AVAILABLE:
            return "Occupied"
        if expires <= utc_now():
            return "Rejected"
        if previous is not None:
            self._end(previous, None)
        reservation = Reservation(reservation_id, id_tag, expires, connector)
        self._by_id[reservation_id] = reservation
        connector.reservation = reservation
        self._charging.transition(connector, ConnectorEvent.RESERVE)
        self._arm(reservation)
        return "Accepted"

    def cancel(self, reservation_id: int) -> bool:
        """CancelReservation: whether such a reservation was held."""
        reservation = self._by_id.get(reservation_id)
        if reservation is None:
            return False
        self._end(reservation, None)
        return True

    def consume(self, connector: Connector, id_tag: str) -> int | None:
        """A transaction starts at `connector`: use its reservation if `id_tag` holds it."""
        reservation = connector.reservation
        if reservation is None or reservation.id_tag != id_tag:
            return None
        self._forget(reservation)
        return reservation.reservation_id

    def release(self, connector: Connector) -> None:
        """Drop the reservation on `connector` (it became unavailable or faulted)."""
        if connector.reservation is not None:
            self._end(connector.reservation, "Removed")

    def clear(self) -> None:
        """Forget every reservation without reporting (a reboot)."""
        for reservation in list(self._by_id.values()):
            self._forget(reservation)

    def _arm(self, reservation: Reservation) -> None:
        delay = (reservation.expires - utc_now()).total_seconds()
        self._station.timers.set(
            f"reservation:{reservation.reservation_id}",
            delay,
            lambda: self._end(reservation, "Expired"),
        )

    def _end(self, reservation: Reservation, status: str | None) -> None:
        """End a reservation; the connector is free again. `status` is reported (2.0.1)."""
        self._forget(reservation)
        connector = reservation.connector
        if connector.state is ConnectorState.RESERVED:
            self._charging.transition(connector, ConnectorEvent.RESERVATION_ENDED)
        if status is not None:
            dialect = self._station.dialect
            for item in dialect.reservation_ended(reservation, status):
                self._station.send(item)

    def _forget(self, reservation: Reservation) -> None:
        self._by_id.pop(reservation.reservation_id, None)
        self._station.timers.cancel(f"reservation:{reservation.reservation_id}")
        if reservation.connector.reservation is reservation:
            reservation.connector.reservation = None
