"""OCPP 2.0.1 wire shapes ↔ the simulator's neutral objects (the only code that sees both)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..auth import AuthStatus
from ..connector import ConnectorState
from ..errors import ProfileError
from ..evse import StopReason
from ..meter import ChargeState, MeterReading
from ..profiles import (
    ChargingProfile,
    CompositePeriod,
    ProfileKind,
    ProfilePurpose,
    RateUnit,
    Recurrency,
)
from ..timeutil import format_rfc3339
from ..wire import optional_time, parse_schedule, rounded

__all__ = [
    "END_TRIGGER",
    "STOPPED_REASON",
    "auth_status",
    "charging_state",
    "composite_to_wire",
    "id_token",
    "meter_value",
    "parse_profile",
    "profile_to_wire",
    "started_charging_state",
]

# 2.0.1 TriggerReasonEnumType and ReasonEnumType for each neutral stop reason (E06, E07).
END_TRIGGER: Mapping[StopReason, str] = {
    StopReason.LOCAL: "StopAuthorized",
    StopReason.REMOTE: "RemoteStop",
    StopReason.EV_DISCONNECTED: "EVCommunicationLost",
    StopReason.HARD_RESET: "ResetCommand",
    StopReason.SOFT_RESET: "ResetCommand",
    StopReason.DEAUTHORIZED: "Deauthorized",
    StopReason.UNLOCK_COMMAND: "UnlockCommand",
    StopReason.REBOOT: "AbnormalCondition",
    StopReason.OTHER: "AbnormalCondition",
}
STOPPED_REASON: Mapping[StopReason, str] = {
    StopReason.LOCAL: "Local",
    StopReason.REMOTE: "Remote",
    StopReason.EV_DISCONNECTED: "EVDisconnected",
    StopReason.HARD_RESET: "ImmediateReset",
    StopReason.SOFT_RESET: "ImmediateReset",
    StopReason.DEAUTHORIZED: "DeAuthorized",
    StopReason.UNLOCK_COMMAND: "Other",
    StopReason.REBOOT: "Reboot",
    StopReason.OTHER: "Other",
}

_CHARGING_STATE = {
    ConnectorState.CHARGING: "Charging",
    ConnectorState.SUSPENDED_EV: "SuspendedEV",
    ConnectorState.SUSPENDED_EVSE: "SuspendedEVSE",
    ConnectorState.PREPARING: "EVConnected",
    ConnectorState.FINISHING: "EVConnected",
}
_METER_STATE = {
    ChargeState.CHARGING: "Charging",
    ChargeState.SUSPENDED_EV: "SuspendedEV",
    ChargeState.SUSPENDED_EVSE: "SuspendedEVSE",
    ChargeState.IDLE: "EVConnected",
}
_PURPOSE = {
    "ChargingStationMaxProfile": ProfilePurpose.STATION_MAX,
    "TxDefaultProfile": ProfilePurpose.TX_DEFAULT,
    "TxProfile": ProfilePurpose.TX,
}
_RFID_UID = re.compile(r"^(?:[0-9A-Fa-f]{8}|[0-9A-Fa-f]{14}|[0-9A-Fa-f]{20})$")


def charging_state(state: ConnectorState) -> str:
    """The ChargingStateEnumType value for a connector status."""
    return _CHARGING_STATE.get(state, "Idle")


def started_charging_state(state: ChargeState) -> str:
    """The charging state a transaction starts in, from its meter's power path."""
    return _METER_STATE[state]


def id_token(tag: str) -> dict[str, str]:
    """An IdTokenType: RFID UIDs (4, 7 or 10 bytes in hex) are ISO14443, others Central."""
    return {"id_token": tag, "type": "ISO14443" if _RFID_UID.match(tag) else "Central"}


def auth_status(value: str) -> AuthStatus:
    """AuthorizationStatusEnumType → neutral status; 2.0.1-only refusals count as Invalid."""
    try:
        return AuthStatus(value)
    except ValueError:
        return AuthStatus.INVALID


def parse_purpose(value: str) -> ProfilePurpose:
    """ChargingProfilePurposeEnumType → neutral purpose (raises ProfileError if not settable)."""
    try:
        return _PURPOSE[value]
    except KeyError:
        # ChargingStationExternalConstraints is set by the station's own limits, not the CSMS.
        raise ProfileError(f"purpose {value} cannot be set by the CSMS") from None


def parse_profile(wire: Mapping[str, Any], received: datetime) -> ChargingProfile:
    """A 2.0.1 ChargingProfileType (snake_case keys, as the library hands it over).

    Only the first schedule is used: the others serve ISO 15118 negotiation.

    Raises:
        ProfileError: a field the schema lets through but the simulator cannot use.
    """
    try:
        kind = ProfileKind(wire["charging_profile_kind"])
        recurrency = wire.get("recurrency_kind")
        return ChargingProfile(
            profile_id=int(wire["id"]),
            stack_level=int(wire["stack_level"]),
            purpose=parse_purpose(wire["charging_profile_purpose"]),
            kind=kind,
            schedule=parse_schedule(wire["charging_schedule"][0], kind, received),
            recurrency=Recurrency(recurrency) if recurrency else None,
            valid_from=optional_time(wire.get("valid_from")),
            valid_to=optional_time(wire.get("valid_to")),
            transaction_id=wire.get("transaction_id"),
        )
    except (KeyError, IndexError, ValueError, TypeError) as exc:
        raise ProfileError(f"unusable charging profile: {exc}") from exc


def profile_to_wire(profile: ChargingProfile) -> dict[str, object]:
    """A ChargingProfileType for ReportChargingProfiles (K09)."""
    schedule = profile.schedule
    wire_schedule: dict[str, object] = {
        "id": profile.profile_id,
        "charging_rate_unit": schedule.unit.value,
        "charging_schedule_period": [
            {"start_period": p.start_s, "limit": p.limit}
            | ({"number_phases": p.phases} if p.phases else {})
            for p in schedule.periods
        ],
    }
    if schedule.start is not None:
        wire_schedule["start_schedule"] = format_rfc3339(schedule.start)
    if schedule.duration_s is not None:
        wire_schedule["duration"] = schedule.duration_s
    wire: dict[str, object] = {
        "id": profile.profile_id,
        "stack_level": profile.stack_level,
        "charging_profile_purpose": profile.purpose.value,
        "charging_profile_kind": profile.kind.value,
        "charging_schedule": [wire_schedule],
    }
    if profile.recurrency is not None:
        wire["recurrency_kind"] = profile.recurrency.value
    if profile.valid_from is not None:
        wire["valid_from"] = format_rfc3339(profile.valid_from)
    if profile.valid_to is not None:
        wire["valid_to"] = format_rfc3339(profile.valid_to)
    if profile.transaction_id is not None:
        wire["transaction_id"] = profile.transaction_id
    return wire


def composite_to_wire(
    evse_id: int,
    periods: Sequence[CompositePeriod],
    start: datetime,
    duration: int,
    unit: RateUnit,
) -> dict[str, object]:
    """A CompositeScheduleType for GetCompositeSchedule (K08)."""
    return {
        "evse_id": evse_id,
        "duration": duration,
        "schedule_start": format_rfc3339(start),
        "charging_rate_unit": unit.value,
        "charging_schedule_period": [
            {"start_period": p.start_s, "limit": rounded(p.limit, 1)} for p in periods
        ],
    }


def meter_value(
    reading: MeterReading, measurands: Sequence[str], context: str, when: datetime
) -> dict[str, object]:
    """One 2.0.1 MeterValueType; values are JSON numbers (floats keep their digits)."""
    values: list[dict[str, object]] = []

    def add(measurand: str, value: float, unit: str, phase: str | None = None) -> None:
        item: dict[str, object] = {
            "value": value,
            "context": context,
            "measurand": measurand,
            "location": "EV" if measurand == "SoC" else "Outlet",
            "unit_of_measure": {"unit": unit},
        }
        if phase is not None:
            item["phase"] = phase
        values.append(item)

    for measurand in measurands:
        if measurand == "Energy.Active.Import.Register":
            add(measurand, rounded(reading.energy_wh, 2), "Wh")
        elif measurand == "Power.Active.Import":
            add(measurand, rounded(reading.power_w, 1), "W")
        elif measurand == "Current.Import":
            for phase, amps in zip(("L1", "L2", "L3"), reading.current_a, strict=True):
                add(measurand, rounded(amps, 2), "A", phase)
        elif measurand == "Voltage":
            for phase, volts in zip(("L1-N", "L2-N", "L3-N"), reading.voltage_v, strict=True):
                add(measurand, rounded(volts, 1), "V", phase)
        elif measurand == "SoC" and reading.soc is not None:
            add(measurand, rounded(reading.soc, 1), "Percent")
    return {"timestamp": format_rfc3339(when), "sampled_value": values}
