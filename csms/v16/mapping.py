"""OCPP 1.6 wire values ↔ domain values. The only module of `v16` that knows both."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson

from csms.ocppj import format_timestamp
from shared.authorization import AuthorizationResult, AuthorizationStatus
from shared.domain.stations import BootInfo, ConnectorStatus
from shared.domain.transactions import (
    DEFAULT_STOP_REASON,
    ENERGY_REGISTER,
    EnergyReading,
    MeterReport,
    MeterSample,
    start_fingerprint,
    stop_fingerprint,
)
from shared.store.device_model import ConfigurationKey
from shared.usecases.transactions import TransactionStart, TransactionStop

__all__ = [
    "V16_STATUS",
    "boot_info",
    "configuration_keys",
    "connector_status",
    "id_tag_info",
    "meter_report",
    "transaction_start",
    "transaction_stop",
]

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


# --- authorization, transactions, meter values (issue 4: blocks C, E, J) -------------------

# 1.6 AuthorizationStatus has five values (§7.2); the statuses only 2.0.1 knows read as Invalid.
_V16_AUTHORIZATION = {
    AuthorizationStatus.ACCEPTED: "Accepted",
    AuthorizationStatus.BLOCKED: "Blocked",
    AuthorizationStatus.EXPIRED: "Expired",
    AuthorizationStatus.INVALID: "Invalid",
    AuthorizationStatus.CONCURRENT_TX: "ConcurrentTx",
}
_ID_TAG_ROOM = 20  # IdToken is CiString20Type (§7.28)
# Energy register units we can turn into Wh; others (lenient mode) are stored, not summed.
_TO_WH = {"Wh": 1.0, "kWh": 1000.0}
_NOT_FINITE = (math.inf, -math.inf)


def id_tag_info(result: AuthorizationResult) -> dict[str, Any]:
    """AuthorizationResult → IdTagInfo (§7.30). A group id longer than an IdToken cannot be
    a parentIdTag and is left out."""
    info: dict[str, Any] = {"status": _V16_AUTHORIZATION.get(result.status, "Invalid")}
    if result.expiry is not None:
        info["expiryDate"] = format_timestamp(result.expiry)
    if result.group_id and len(result.group_id) <= _ID_TAG_ROOM:
        info["parentIdTag"] = result.group_id
    return info


def transaction_start(
    station_id: str, payload: dict[str, Any], started_at: datetime
) -> TransactionStart:
    """StartTransaction.req → TransactionStart. Connector N is EVSE N with one connector."""
    connector_id = payload["connectorId"]
    return TransactionStart(
        station_id=station_id,
        evse_id=connector_id,
        connector_id=1 if connector_id > 0 else 0,
        id_token=payload["idTag"],
        id_token_type=None,  # 1.6 idTags carry no type
        meter_start_wh=float(payload["meterStart"]),
        started_at=started_at,
        reservation_id=payload.get("reservationId"),
        fingerprint=start_fingerprint(
            connector_id, payload["idTag"], payload["timestamp"], payload["meterStart"]
        ),
    )


def transaction_stop(
    station_id: str, payload: dict[str, Any], stopped_at: datetime, meter: MeterReport
) -> TransactionStop:
    """StopTransaction.req → TransactionStop (`meter` holds its transactionData)."""
    id_tag = payload.get("idTag")
    return TransactionStop(
        station_id=station_id,
        charger_transaction_id=payload["transactionId"],
        id_token=id_tag,
        meter_stop_wh=float(payload["meterStop"]),
        stopped_at=stopped_at,
        # A lenient station's unknown reason is kept, cut to the column (String(32)).
        reason=(payload.get("reason") or DEFAULT_STOP_REASON)[:32],
        fingerprint=stop_fingerprint(
            payload["transactionId"], id_tag, payload["timestamp"], payload["meterStop"]
        ),
        meter=meter,
    )


def meter_report(
    meter_values: list[dict[str, Any]],
    station_id: str,
    evse_id: int,
    transaction_id: int | None,
    parse_time: Callable[[str | None], datetime],
) -> MeterReport:
    """MeterValue list (MeterValues.req, StopTransaction.req transactionData) → MeterReport.

    Every sampled value becomes one row with the spec's default measurand filled in (§7.31)
    and the rest as the charger wrote it (`L1-N` current, unit `Hz`, measurand
    `Request.Energy`: PITFALLS #5, #16), cut to the column sizes. The value keeps every
    digit it was sent with. Signed data and values that are no number are counted in
    `skipped`. `parse_time` reads the (lenient) timestamps.
    """
    samples: list[MeterSample] = []
    first: EnergyReading | None = None
    last: EnergyReading | None = None
    skipped = 0
    for meter_value in meter_values:
        at = parse_time(meter_value.get("timestamp"))
        for sampled in meter_value["sampledValue"]:
            # Inline fast path: a plain decimal string; anything else goes the slow way.
            value: float | None
            try:
                value = float(sampled["value"])
            except (TypeError, ValueError):
                value = _lenient_number(sampled["value"])
            if (
                value is None
                or value in _NOT_FINITE
                or value != value
                or ("format" in sampled and sampled["format"] == "SignedData")
            ):
                skipped += 1  # NaN, ±inf, signed data (an encoded reading), or no number
                continue
            measurand = sampled.get("measurand") or ENERGY_REGISTER
            phase = sampled.get("phase")
            unit = sampled.get("unit")
            context = sampled.get("context")
            location = sampled.get("location")
            samples.append(
                {
                    "station_id": station_id,
                    "evse_id": evse_id,
                    "transaction_id": transaction_id,
                    "timestamp": at,
                    "measurand": measurand[:48],
                    "phase": phase and phase[:8],
                    "unit": unit and unit[:16],
                    "context": context and context[:32],
                    "location": location and location[:16],
                    "value": value,
                }
            )
            if measurand == ENERGY_REGISTER and phase is None:
                factor = _TO_WH.get(unit or "Wh")  # the unit defaults to Wh (§7.45)
                if factor is not None:
                    reading = EnergyReading(value * factor, at)
                    if first is None or at < first.at:
                        first = reading
                    if last is None or at >= last.at:
                        last = reading
    return MeterReport(samples, first, last, skipped)


def _lenient_number(text: Any) -> float | None:
    try:
        return float(str(text).replace(",", "."))  # a decimal comma
    except ValueError:
        return None
