"""OCPP 1.6 wire values ↔ domain values. The only module of `v16` that knows both."""

from __future__ import annotations

from typing import Any

import orjson

from shared.domain.stations import BootInfo, ConnectorStatus
from shared.store.device_model import ConfigurationKey

__all__ = ["V16_STATUS", "boot_info", "configuration_keys", "connector_status"]

# 1.6 ChargePointStatus → domain status. The five "occupied" states keep their detail in
# `ocpp_status` (and become the ChargingState where it matters).
V16_STATUS: dict[str, ConnectorStatus] = {
    "Available": ConnectorStatus.AVAILABLE,
    "Preparing": ConnectorStatus.OCCUPIED,
    "Charging": ConnectorStatus.OCCUPIED,
    "SuspendedEVSE": ConnectorStatus.OCCUPIED,
    "SuspendedEV": ConnectorStatus.OCCUPIED,
    "Finishing": ConnectorStatus.OCCUPIED,
    "Reserved": ConnectorStatus.RESERVED,
    "Unavailable": ConnectorStatus.UNAVAILABLE,
    "Faulted": ConnectorStatus.FAULTED,
}


def connector_status(status: str) -> ConnectorStatus:
    """Domain status for a 1.6 status; an unknown one (lenient mode) counts as Faulted."""
    return V16_STATUS.get(status, ConnectorStatus.FAULTED)


def boot_info(payload: dict[str, Any]) -> BootInfo:
    """BootNotification.req → BootInfo."""
    return BootInfo(
        vendor=payload["chargePointVendor"],
        model=payload["chargePointModel"],
        serial_number=payload.get("chargePointSerialNumber")
        or payload.get("chargeBoxSerialNumber"),
        firmware_version=payload.get("firmwareVersion"),
        iccid=payload.get("iccid"),
        imsi=payload.get("imsi"),
        meter_type=payload.get("meterType"),
        meter_serial_number=payload.get("meterSerialNumber"),
    )


def configuration_keys(payload: dict[str, Any]) -> tuple[list[ConfigurationKey], list[str]]:
    """GetConfiguration.conf → (the keys it reports, the keys it does not know) (1.6 §6.23).

    A value that is not a string (some chargers send numbers or booleans, PITFALLS "Real
    chargers" #5) is kept in its JSON spelling.
    """
    keys = [
        ConfigurationKey(
            key=entry["key"],
            value=_config_value(entry.get("value")),
            readonly=bool(entry.get("readonly", False)),
        )
        for entry in payload.get("configurationKey") or ()
    ]
    return keys, list(payload.get("unknownKey") or ())


def _config_value(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return orjson.dumps(value).decode()
