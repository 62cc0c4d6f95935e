"""Reading what the fake CSMS received."""

from __future__ import annotations

from typing import Any

from .fake_csms import FakeCsms


def tx_events(csms: FakeCsms, station_id: str) -> list[dict[str, Any]]:
    """Every 2.0.1 TransactionEvent payload, in arrival order."""
    return [m.payload for m in csms.messages(station_id, "TransactionEvent")]


def event_types(csms: FakeCsms, station_id: str) -> list[str]:
    return [e["eventType"] for e in tx_events(csms, station_id)]


def sampled(
    meter_values: list[dict[str, Any]], measurand: str, phase: str | None = None
) -> list[float]:
    """The values of one measurand in MeterValue objects (1.6 strings, 2.0.1 numbers)."""
    found = []
    for value in meter_values:
        for sample in value["sampledValue"]:
            if sample.get("measurand", "Energy.Active.Import.Register") == measurand and (
                phase is None or sample.get("phase") == phase
            ):
                found.append(float(sample["value"]))
    return found


def v16_meter_values(csms: FakeCsms, station_id: str) -> list[dict[str, Any]]:
    """The MeterValue objects of every 1.6 MeterValues message, in arrival order."""
    return [v for m in csms.messages(station_id, "MeterValues") for v in m.payload["meterValue"]]


def v201_meter_values(csms: FakeCsms, station_id: str) -> list[dict[str, Any]]:
    """The MeterValue objects of every TransactionEvent, in arrival order."""
    return [v for e in tx_events(csms, station_id) for v in e.get("meterValue", [])]


def statuses_v16(csms: FakeCsms, station_id: str, connector_id: int) -> list[str]:
    return [
        m.payload["status"]
        for m in csms.messages(station_id, "StatusNotification")
        if m.payload["connectorId"] == connector_id
    ]
