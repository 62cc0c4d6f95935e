"""OCPI 2.2.1 ChargingProfile <-> the domain's charging profile and OCPP composite
schedules (mod_charging_profiles).

An eMSP's profile applies to its session: it becomes a TxProfile on the session's
transaction (OCPP 1.6 §3.13.1 / 2.0.1 K01), Absolute when it has a start_date_time and
Relative (to the transaction's start) otherwise, at stack level `STACK_LEVEL`, so a
DELETE can clear it by purpose and stack level without knowing the charger's id.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ocpi_gateway.v221.models import ChargingProfile as WireProfile
from shared.domain.commands import (
    ChargingProfile,
    ChargingProfileKind,
    ChargingProfilePurpose,
    ChargingRateUnit,
    ChargingSchedule,
    SchedulePeriod,
)

__all__ = ["STACK_LEVEL", "composite_to_wire", "profile_from_wire"]

#: The stack level of partners' TxProfiles.
STACK_LEVEL = 1


def profile_from_wire(wire: WireProfile, transaction_ref: str) -> ChargingProfile:
    """The TxProfile for `wire` on transaction `transaction_ref` (ValueError: unusable)."""
    periods = tuple(
        SchedulePeriod(start_s=int(p.start_period), limit=float(p.limit))
        for p in wire.charging_profile_period or ()
    )
    schedule = ChargingSchedule(
        rate_unit=ChargingRateUnit(wire.charging_rate_unit.value),
        periods=periods,
        duration_s=int(wire.duration) if wire.duration is not None else None,
        start=wire.start_date_time,
        min_rate=float(wire.min_charging_rate) if wire.min_charging_rate is not None else None,
    )
    kind = ChargingProfileKind.ABSOLUTE if wire.start_date_time else ChargingProfileKind.RELATIVE
    return ChargingProfile(
        stack_level=STACK_LEVEL,
        purpose=ChargingProfilePurpose.TX,
        kind=kind,
        schedule=schedule,
        transaction_ref=transaction_ref,
    )


def _rate(value: Any) -> Decimal:
    # ChargingProfilePeriod.limit: one fractional digit at most.
    return Decimal(str(value)).quantize(Decimal("0.1"))


def composite_to_wire(response: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    """The ActiveChargingProfile of an OCPP GetCompositeSchedule answer (1.6:
    `chargingSchedule` + `scheduleStart`; 2.0.1: `schedule`), or None without one."""
    schedule = response.get("schedule") or response.get("chargingSchedule")
    if not isinstance(schedule, dict):
        return None
    start = schedule.get("scheduleStart") or response.get("scheduleStart")
    start = start or schedule.get("startSchedule") or now.isoformat()
    periods = [
        {"start_period": int(p["startPeriod"]), "limit": _rate(p["limit"])}
        for p in schedule.get("chargingSchedulePeriod") or []
    ]
    profile: dict[str, Any] = {
        "start_date_time": start,
        "charging_rate_unit": schedule.get("chargingRateUnit", "W"),
        "charging_profile_period": periods,
    }
    if schedule.get("duration") is not None:
        profile["duration"] = int(schedule["duration"])
    if schedule.get("minChargingRate") is not None:
        profile["min_charging_rate"] = _rate(schedule["minChargingRate"])
    return {"start_date_time": start, "charging_profile": profile}
