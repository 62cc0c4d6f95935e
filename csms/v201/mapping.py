"""OCPP 2.0.1 wire values ↔ domain values. The only module of `v201` that knows both."""

from __future__ import annotations

from typing import Any

from shared.domain.stations import BootInfo, ConnectorStatus

__all__ = ["boot_info", "connector_status"]

_STATUS = {status.value: status for status in ConnectorStatus}


def connector_status(status: str) -> ConnectorStatus:
    """Domain status for a ConnectorStatusEnumType value; unknown (lenient) → Faulted."""
    return _STATUS.get(status, ConnectorStatus.FAULTED)


def boot_info(payload: dict[str, Any]) -> BootInfo:
    """BootNotificationRequest → BootInfo."""
    station = payload["chargingStation"]
    modem = station.get("modem") or {}
    return BootInfo(
        vendor=station["vendorName"],
        model=station["model"],
        serial_number=station.get("serialNumber"),
        firmware_version=station.get("firmwareVersion"),
        iccid=modem.get("iccid"),
        imsi=modem.get("imsi"),
        reason=payload.get("reason"),
    )
