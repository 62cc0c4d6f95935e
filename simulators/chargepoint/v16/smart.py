"""1.6 smart charging and reservation requests (OCPP 1.6 §5.16, §5.5, §5.7, §5.13, §5.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from ..errors import ProfileError
from ..profiles import RateUnit
from ..timeutil import parse_rfc3339, utc_now
from ..wire import handles
from .mapping import PURPOSE, composite_to_wire, parse_profile

if TYPE_CHECKING:
    from ..station import Station

__all__ = ["ChargingHandlers16"]


class ChargingHandlers16:
    """Mixed into `ChargePoint16`: charging profiles and reservations."""

    _station: Station

    def _evse_id(self, connector_id: int) -> int | None:
        """The EVSE behind 1.6 connector `connector_id` (0: the station); None if unknown."""
        if connector_id == 0:
            return 0
        connector = self._station.charging.connector_v16(connector_id)
        return None if connector is None else connector.evse_id

    @handles(Action.set_charging_profile)
    def on_set_charging_profile(self, connector_id: int, cs_charging_profiles: Any) -> Any:
        evse_id = self._evse_id(connector_id)
        if evse_id is None:
            return call_result.SetChargingProfile(status="Rejected")
        try:
            profile = parse_profile(cs_charging_profiles, utc_now())
            self._station.charging.metering.install_profile(evse_id, profile)
        except ProfileError:
            return call_result.SetChargingProfile(status="Rejected")
        return call_result.SetChargingProfile(status="Accepted")

    @handles(Action.clear_charging_profile)
    def on_clear_charging_profile(
        self,
        id: int | None = None,
        connector_id: int | None = None,
        charging_profile_purpose: str | None = None,
        stack_level: int | None = None,
    ) -> Any:
        evse_id = None if connector_id is None else self._evse_id(connector_id)
        if connector_id is not None and evse_id is None:
            return call_result.ClearChargingProfile(status="Unknown")
        charging = self._station.charging
        removed = charging.profiles.clear(
            profile_id=id,
            evse_id=evse_id,
            purpose=PURPOSE[charging_profile_purpose] if charging_profile_purpose else None,
            stack_level=stack_level,
        )
        charging.metering.apply_limits()
        return call_result.ClearChargingProfile(status="Accepted" if removed else "Unknown")

    @handles(Action.get_composite_schedule)
    def on_get_composite_schedule(
        self, connector_id: int, duration: int, charging_rate_unit: str | None = None
    ) -> Any:
        evse_id = self._evse_id(connector_id)
        if evse_id is None:
            return call_result.GetCompositeSchedule(status="Rejected")
        charging = self._station.charging
        evse = charging.evse(evse_id)
        tx = evse.transaction if evse is not None else None
        unit = RateUnit(charging_rate_unit or "A")
        start = utc_now().replace(microsecond=0)
        periods = charging.profiles.composite(
            evse_id, start, duration, unit, tx.started_at if tx else None
        )
        return call_result.GetCompositeSchedule(
            status="Accepted",
            connector_id=connector_id,
            schedule_start=composite_to_wire(periods, start, duration, unit)["start_schedule"],
            charging_schedule=composite_to_wire(periods, start, duration, unit),
        )

    @handles(Action.reserve_now)
    def on_reserve_now(
        self,
        connector_id: int,
        expiry_date: str,
        id_tag: str,
        reservation_id: int,
        parent_id_tag: str | None = None,
    ) -> Any:
        charging = self._station.charging
        connector = charging.connector_v16(connector_id) if connector_id else None
        if connector is None:
            # ReserveConnectorZeroSupported is false: connector 0 cannot be reserved.
            return call_result.ReserveNow(status="Rejected")
        if not charging.availability.station_operative:
            return call_result.ReserveNow(status="Unavailable")
        status = charging.reservations.reserve(
            reservation_id, connector, id_tag, parse_rfc3339(expiry_date)
        )
        return call_result.ReserveNow(status=status)

    @handles(Action.cancel_reservation)
    def on_cancel_reservation(self, reservation_id: int) -> Any:
        cancelled = self._station.charging.reservations.cancel(reservation_id)
        return call_result.CancelReservation(status="Accepted" if cancelled else "Rejected")
