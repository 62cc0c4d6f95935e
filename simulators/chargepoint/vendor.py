"""DataTransfer: the simulated firmware's one vendor-specific message (1.6 §5.6, 2.0.1 P01).

A CSMS can ask a simulated station for its meter registers with message id
`GetMeterReadings` under the station's vendor id; anything else is answered as a real
charger would (UnknownVendorId / UnknownMessageId).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .station import Station

__all__ = ["GET_METER_READINGS", "data_transfer"]

GET_METER_READINGS = "GetMeterReadings"


def data_transfer(
    station: Station, vendor_id: str, message_id: str | None, data: object
) -> tuple[str, str | None]:
    """(status, reply data) for a DataTransfer from the CSMS."""
    if vendor_id != station.config.vendor:
        return "UnknownVendorId", None
    if message_id != GET_METER_READINGS:
        return "UnknownMessageId", None
    charging = station.charging
    now = charging.now()
    readings = [
        {"evse_id": e.evse_id, "energy_wh": round(e.meter.read(now).energy_wh, 2)}
        for e in charging.evses
    ]
    return "Accepted", json.dumps(readings, separators=(",", ":"))
