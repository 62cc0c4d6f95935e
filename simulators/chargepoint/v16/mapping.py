"""OCPP 1.6 wire shapes ↔ the simulator's neutral objects (the only code that sees both)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from ..errors import ProfileError
from ..evse import StopReason
from ..meter import MeterReading
from ..profiles import (
    ChargingProfile,
    CompositePeriod,
    ProfileKind,
    ProfilePurpose,
    RateUnit,
    Recurrency,
)
from ..timeutil import format_rfc3339
from ..wire import optional_time, parse_schedule

__all__ = [
    "FIRMWARE_STATUS",
    "PURPOSE",
    "STOP_REASON",
    "UPLOAD_STATUS",
    "composite_to_wire",
    "meter_value",
    "parse_profile",
]

# 1.6 ChargingProfilePurposeType ↔ neutral purpose.
PURPOSE: Mapping[str, ProfilePurpose] = {
    "ChargePointMaxProfile": ProfilePurpose.STATION_MAX,
    "TxDefaultProfile": ProfilePurpose.TX_DEFAULT,
    "TxProfile": ProfilePurpose.TX,
}

# 1.6 Reason (§7.35) for each neutral stop reason.
STOP_REASON: Mapping[StopReason, str] = {
    StopReason.LOCAL: "Local",
    StopReason.REMOTE: "Remote",
    StopReason.EV_DISCONNECTED: "EVDisconnected",
    StopReason.HARD_RESET: "HardReset",
    StopReason.SOFT_RESET: "SoftReset",
    StopReason.DEAUTHORIZED: "DeAuthorized",
    StopReason.UNLOCK_COMMAND: "UnlockCommand",
    StopReason.REBOOT: "Reboot",
    StopReason.OTHER: "Other",
}

# Neutral (2.0.1-spelled) firmware statuses → 1.6 FirmwareStatus; None: not reported in 1.6.
FIRMWARE_STATUS: Mapping[str, str | None] = {
    "Downloading": "Downloading",
    "Downloaded": "Downloaded",
    "DownloadFailed": "DownloadFailed",
    "Installing": "Installing",
    "InstallRebooting": None,
    "Installed": "Installed",
    "InstallationFailed": "InstallationFailed",
    "Idle": "Idle",
}

# Neutral upload statuses → 1.6 DiagnosticsStatus.
UPLOAD_STATUS: Mapping[str, str] = {
    "Idle": "Idle",
    "Uploading": "Uploading",
    "Uploaded": "Uploaded",
    "UploadFailure": "UploadFailed",
}


def parse_profile(wire: Mapping[str, Any], received: datetime) -> ChargingProfile:
    """A 1.6 `csChargingProfiles` object (snake_case keys, as the library hands it over).

    Raises:
        ProfileError: a field the schema lets through but the simulator cannot use.
    """
    try:
        kind = ProfileKind(wire["charging_profile_kind"])
        recurrency = wire.get("recurrency_kind")
        tx_id = wire.get("transaction_id")
        return ChargingProfile(
            profile_id=int(wire["charging_profile_id"]),
            stack_level=int(wire["stack_level"]),
            purpose=PURPOSE[wire["charging_profile_purpose"]],
            kind=kind,
            schedule=parse_schedule(wire["charging_schedule"], kind, received),
            recurrency=Recurrency(recurrency) if recurrency else None,
            valid_from=optional_time(wire.get("valid_from")),
            valid_to=optional_time(wire.get("valid_to")),
            transaction_id=str(tx_id) if tx_id is not None else None,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ProfileError(f"unusable charging profile: {exc}") from exc


def composite_to_wire(
    periods: Sequence[CompositePeriod], start: datetime, duration: int, unit: RateUnit
) -> dict[str, object]:
    """A 1.6 `chargingSchedule` for GetCompositeSchedule.conf (limits in steps of 0.1)."""
    return {
        "duration": duration,
        "start_schedule": format_rfc3339(start),
        "charging_rate_unit": unit.value,
        "charging_schedule_period": [
            {"start_period": p.start_s, "limit": round(p.limit, 1)} for p in periods
        ],
    }


def meter_value(
    reading: MeterReading, measurands: Sequence[str], context: str, when: datetime
) -> dict[str, object]:
    """One 1.6 MeterValue with the `measurands` asked for; values are strings (§7.43).

    Energy keeps centiwatt-hour digits: strings carry any precision, unlike the library's
    Decimal encoder.
    """
    values: list[dict[str, str]] = []

    def add(measurand: str, value: str, unit: str, **extra: str) -> None:
        values.append(
            {
                "value": value,
                "context": context,
                "format": "Raw",
                "measurand": measurand,
                "location": extra.pop("location", "Outlet"),
                "unit": unit,
                **extra,
            }
        )

    for measurand in measurands:
        if measurand == "Energy.Active.Import.Register":
            add(measurand, f"{reading.energy_wh:.2f}", "Wh")
        elif measurand == "Power.Active.Import":
            add(measurand, f"{reading.power_w:.1f}", "W")
        elif measurand == "Current.Import":
            for phase, amps in zip(("L1", "L2", "L3"), reading.current_a, strict=True):
                add(measurand, f"{amps:.2f}", "A", phase=phase)
        elif measurand == "Voltage":
            for phase, volts in zip(("L1-N", "L2-N", "L3-N"), reading.voltage_v, strict=True):
                add(measurand, f"{volts:.1f}", "V", phase=phase)
        elif measurand == "SoC" and reading.soc is not None:
            add(measurand, f"{reading.soc:.1f}", "Percent", location="EV")
    return {"timestamp": format_rfc3339(when), "sampled_value": values}
