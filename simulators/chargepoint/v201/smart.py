"""2.0.1 smart charging and reservation requests (K01, K08–K10, H01–H03)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action

from ..errors import ProfileError
from ..outbox import Outgoing
from ..profiles import ChargingProfile, RateUnit
from ..timeutil import parse_rfc3339, utc_now
from ..wire import handles
from .mapping import composite_to_wire, parse_profile, parse_purpose, profile_to_wire

if TYPE_CHECKING:
    from ..station import Station

__all__ = ["ChargingHandlers201"]

_CustomData = dict[str, Any] | None


class ChargingHandlers201:
    """Mixed into `ChargePoint201`: charging profiles and reservations."""

    _station: Station

    @handles(Action.set_charging_profile)
    def on_set_charging_profile(
        self, evse_id: int, charging_profile: dict[str, Any], custom_data: _CustomData = None
    ) -> Any:
        try:
            profile = parse_profile(charging_profile, utc_now())
            self._station.charging.metering.install_profile(evse_id, profile)
        except ProfileError as exc:
            return call_result.SetChargingProfile(
                status="Rejected",
                status_info={"reason_code": "InvalidProfile", "additional_info": str(exc)[:512]},
            )
        return call_result.SetChargingProfile(status="Accepted")

    @handles(Action.clear_charging_profile)
    def on_clear_charging_profile(
        self,
        charging_profile_id: int | None = None,
        charging_profile_criteria: dict[str, Any] | None = None,
        custom_data: _CustomData = None,
    ) -> Any:
        criteria = charging_profile_criteria or {}
        purpose_name = criteria.get("charging_profile_purpose")
        try:
            purpose = parse_purpose(purpose_name) if purpose_name else None
        except ProfileError:
            return call_result.ClearChargingProfile(status="Unknown")
        charging = self._station.charging
        removed = charging.profiles.clear(
            profile_id=charging_profile_id,
            evse_id=criteria.get("evse_id"),
            purpose=purpose,
            stack_level=criteria.get("stack_level"),
        )
        charging.metering.apply_limits()
        return call_result.ClearChargingProfile(status="Accepted" if removed else "Unknown")

    @handles(Action.get_charging_profiles)
    def on_get_charging_profiles(
        self,
        request_id: int,
        charging_profile: dict[str, Any],
        evse_id: int | None = None,
        custom_data: _CustomData = None,
    ) -> Any:
        found: dict[int, list[ChargingProfile]] = {}
        for evse, profile in self._station.charging.profiles.installed(evse_id):
            if _matches(profile, charging_profile):
                found.setdefault(evse, []).append(profile)
        if not found:
            return call_result.GetChargingProfiles(status="NoProfiles")
        evses = sorted(found)
        for index, evse in enumerate(evses):  # K09: one report per EVSE, tbc until the last
            payload = call.ReportChargingProfiles(
                request_id=request_id,
                charging_limit_source="CSO",
                evse_id=evse,
                charging_profile=[profile_to_wire(p) for p in found[evse]],
                tbc=index < len(evses) - 1,
            )
            self._station.send(Outgoing.ready(payload))
        return call_result.GetChargingProfiles(status="Accepted")

    @handles(Action.get_composite_schedule)
    def on_get_composite_schedule(
        self,
        duration: int,
        evse_id: int,
        charging_rate_unit: str | None = None,
        custom_data: _CustomData = None,
    ) -> Any:
        charging = self._station.charging
        evse = charging.evse(evse_id)
        if evse_id != 0 and evse is None:
            return call_result.GetCompositeSchedule(status="Rejected")
        tx = evse.transaction if evse is not None else None
        unit = RateUnit(charging_rate_unit or "W")
        start = utc_now().replace(microsecond=0)
        periods = charging.profiles.composite(
            evse_id, start, duration, unit, tx.started_at if tx else None
        )
        return call_result.GetCompositeSchedule(
            status="Accepted", schedule=composite_to_wire(evse_id, periods, start, duration, unit)
        )

    @handles(Action.reserve_now)
    def on_reserve_now(
        self,
        id: int,
        expiry_date_time: str,
        id_token: dict[str, Any],
        connector_type: str | None = None,
        evse_id: int | None = None,
        group_id_token: dict[str, Any] | None = None,
        custom_data: _CustomData = None,
    ) -> Any:
        charging = self._station.charging
        if evse_id is None:
            # ReservationCtrlr.NonEvseSpecific is false: only EVSE reservations (H01).
            return call_result.ReserveNow(status="Rejected")
        connector = charging.connector(evse_id)
        if connector is None:
            return call_result.ReserveNow(status="Rejected")
        if connector_type not in (None, "cType2"):
            return call_result.ReserveNow(status="Rejected")
        if not charging.availability.station_operative:
            return call_result.ReserveNow(status="Unavailable")
        status = charging.reservations.reserve(
            id, connector, str(id_token["id_token"]), parse_rfc3339(expiry_date_time)
        )
        return call_result.ReserveNow(status=status)

    @handles(Action.cancel_reservation)
    def on_cancel_reservation(self, reservation_id: int, custom_data: _CustomData = None) -> Any:
        cancelled = self._station.charging.reservations.cancel(reservation_id)
        return call_result.CancelReservation(status="Accepted" if cancelled else "Rejected")


def _matches(profile: ChargingProfile, criteria: dict[str, Any]) -> bool:
    """Whether `profile` meets a ChargingProfileCriterionType (K09)."""
    purpose = criteria.get("charging_profile_purpose")
    if purpose is not None and purpose != profile.purpose.value:
        return False
    level = criteria.get("stack_level")
    if level is not None and level != profile.stack_level:
        return False
    ids = criteria.get("charging_profile_id")
    if ids and profile.profile_id not in ids:
        return False
    sources = criteria.get("charging_limit_source")
    return not sources or "CSO" in sources
