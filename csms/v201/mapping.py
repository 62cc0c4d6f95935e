"""OCPP 2.0.1 wire values ↔ domain values. The only module of `v201` that knows both."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from csms.ocppj import ErrorCode, OcppError, format_timestamp
from shared.authorization import AuthorizationResult, IdToken
from shared.domain.stations import BootInfo, ConnectorStatus
from shared.domain.transactions import (
    ENERGY_REGISTER,
    EnergyReading,
    MeterReport,
    MeterSample,
    TransactionEventReport,
    TransactionEventType,
)
from shared.store.device_model import (
    AttributeType,
    Mutability,
    StationVariable,
    VariableAddress,
    VariableCharacteristics,
    VariableReading,
)
from shared.usecases.station_reports import ReportedChargingProfile

__all__ = [
    "boot_info",
    "connector_status",
    "event_actual_values",
    "get_variable_results",
    "id_token",
    "id_token_info",
    "meter_report",
    "report_variables",
    "reported_charging_profiles",
    "transaction_event",
    "variable_address",
]

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


# --- device model, reports, smart charging (appended for issue 4) --------------------------

_MUTABILITIES = frozenset(mutability.value for mutability in Mutability)
# The attribute_type column is String(16); a lenient station's unknown value is cut to fit.
_ATTRIBUTE_TYPE_ROOM = 16


def variable_address(
    component: dict[str, Any], variable: dict[str, Any], attribute_type: str | None = None
) -> VariableAddress:
    """ComponentType + VariableType (+ AttributeEnumType, default Actual) → VariableAddress."""
    evse = component.get("evse") or {}
    attribute = attribute_type or AttributeType.ACTUAL.value
    return VariableAddress(
        component=component["name"],
        component_instance=component.get("instance") or "",
        evse_id=evse.get("id", 0),
        connector_id=evse.get("connectorId", 0),
        variable=variable["name"],
        variable_instance=variable.get("instance") or "",
        attribute_type=attribute[:_ATTRIBUTE_TYPE_ROOM],
    )


def _characteristics(found: dict[str, Any] | None) -> VariableCharacteristics | None:
    if found is None:
        return None
    return VariableCharacteristics(
        data_type=found["dataType"],
        supports_monitoring=found["supportsMonitoring"],
        unit=found.get("unit"),
        min_limit=found.get("minLimit"),
        max_limit=found.get("maxLimit"),
        values_list=found.get("valuesList"),
    )


def report_variables(report_data: list[dict[str, Any]]) -> list[StationVariable]:
    """NotifyReportRequest.reportData → one StationVariable per reported attribute.

    An omitted attribute type is Actual and an omitted mutability ReadWrite (the schema's
    defaults); a mutability outside the enum (lenient mode) is kept as unknown (None).
    """
    result: list[StationVariable] = []
    for data in report_data:
        characteristics = _characteristics(data.get("variableCharacteristics"))
        for attribute in data["variableAttribute"]:
            mutability = attribute.get("mutability", Mutability.READ_WRITE.value)
            result.append(
                StationVariable(
                    address=variable_address(
                        data["component"], data["variable"], attribute.get("type")
                    ),
                    value=attribute.get("value"),
                    mutability=mutability if mutability in _MUTABILITIES else None,
                    characteristics=characteristics,
                    persistent=attribute.get("persistent"),
                    constant=attribute.get("constant"),
                )
            )
    return result


def get_variable_results(payload: dict[str, Any]) -> list[VariableReading]:
    """GetVariablesResponse → VariableReading per result (for the GetVariables command)."""
    return [
        VariableReading(
            address=variable_address(
                result["component"], result["variable"], result.get("attributeType")
            ),
            status=result["attributeStatus"],
            value=result.get("attributeValue"),
        )
        for result in payload["getVariableResult"]
    ]


def event_actual_values(event_data: list[dict[str, Any]]) -> list[tuple[VariableAddress, str]]:
    """NotifyEventRequest.eventData → the Actual values it reports (N07: `actualValue` is the
    variable's Actual attribute at the time of the event)."""
    return [
        (variable_address(event["component"], event["variable"]), event["actualValue"])
        for event in event_data
    ]


def reported_charging_profiles(
    payload: dict[str, Any], parse_time: Callable[[str | None, str], datetime | None]
) -> list[ReportedChargingProfile]:
    """ReportChargingProfilesRequest → ReportedChargingProfile per profile (K09).

    `parse_time(text, field)` reads the validFrom/validTo timestamps (leniently).
    """
    return [
        ReportedChargingProfile(
            evse_id=payload["evseId"],
            profile_id=profile["id"],
            stack_level=profile["stackLevel"],
            purpose=profile["chargingProfilePurpose"],
            kind=profile["chargingProfileKind"],
            limit_source=payload["chargingLimitSource"],
            definition=profile,
            transaction_ref=profile.get("transactionId"),
            valid_from=parse_time(profile.get("validFrom"), "validFrom"),
            valid_to=parse_time(profile.get("validTo"), "validTo"),
        )
        for profile in payload["chargingProfile"]
    ]


# --- authorization, transactions, meter values (issue 4: blocks C, E, J) -------------------

_EVENT_TYPES = {event_type.value: event_type for event_type in TransactionEventType}
_ID_TOKEN_ROOM = 36  # IdTokenType.idToken is string[36]
# Energy register units we can turn into Wh; others (lenient mode) are stored, not summed.
_TO_WH = {"Wh": 1.0, "kWh": 1000.0}


def id_token(token: dict[str, Any]) -> IdToken:
    """IdTokenType → IdToken."""
    return IdToken(value=token["idToken"], type=token["type"])


def id_token_info(result: AuthorizationResult) -> dict[str, Any]:
    """AuthorizationResult → IdTokenInfoType. The group travels as a Central token; one
    longer than an IdToken can hold is left out."""
    info: dict[str, Any] = {"status": result.status.value}
    if result.expiry is not None:
        info["cacheExpiryDateTime"] = format_timestamp(result.expiry)
    if result.group_id and len(result.group_id) <= _ID_TOKEN_ROOM:
        info["groupIdToken"] = {"idToken": result.group_id, "type": "Central"}
    return info


def meter_report(
    meter_values: list[dict[str, Any]],
    station_id: str,
    evse_id: int,
    parse_time: Callable[[str | None], datetime],
) -> MeterReport:
    """MeterValueType list (MeterValues, TransactionEvent) → MeterReport.

    Values are scaled by the unit's `multiplier` (a power of ten) and stored with the unit
    as the station named it; the measurand defaults to Energy.Active.Import.Register and the
    unit to Wh (SampledValueType, UnitOfMeasureType). Enum values outside the spec (lenient
    mode, PITFALLS #5) are kept, cut to the column sizes.
    """
    samples: list[MeterSample] = []
    first: EnergyReading | None = None
    last: EnergyReading | None = None
    for meter_value in meter_values:
        at = parse_time(meter_value.get("timestamp"))
        for sampled in meter_value["sampledValue"]:
            value = float(sampled["value"])
            unit_of_measure = sampled.get("unitOfMeasure")
            unit = None
            if unit_of_measure is not None:
                unit = unit_of_measure.get("unit")
                multiplier = unit_of_measure.get("multiplier", 0)
                if multiplier > 0:
                    value *= 10.0**multiplier
                elif multiplier < 0:
                    value /= 10.0**-multiplier  # dividing keeps 1234 × 10⁻¹ exactly 123.4
            measurand = sampled.get("measurand") or ENERGY_REGISTER
            phase = sampled.get("phase")
            context = sampled.get("context")
            location = sampled.get("location")
            samples.append(
                {
                    "station_id": station_id,
                    "evse_id": evse_id,
                    "transaction_id": None,
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
                factor = _TO_WH.get(unit or "Wh")
                if factor is not None:
                    reading = EnergyReading(value * factor, at)
                    if first is None or at < first.at:
                        first = reading
                    if last is None or at >= last.at:
                        last = reading
    return MeterReport(samples, first, last)


def transaction_event(
    payload: dict[str, Any], timestamp: datetime, meter: MeterReport
) -> TransactionEventReport:
    """TransactionEventRequest → TransactionEventReport (`meter` holds its meterValue).

    An eventType outside the enum cannot be applied (it might hide an Ended): that one
    violation is refused even in lenient mode.
    """
    event_type = _EVENT_TYPES.get(payload["eventType"])
    if event_type is None:
        raise OcppError(
            ErrorCode.PropertyConstraintViolation,
            f"eventType {payload['eventType']!r} is not Started, Updated or Ended",
        )
    info = payload["transactionInfo"]
    evse = payload.get("evse") or {}
    token = payload.get("idToken")
    return TransactionEventReport(
        transaction_ref=info["transactionId"],
        seq_no=payload["seqNo"],
        event_type=event_type,
        timestamp=timestamp,
        trigger_reason=payload["triggerReason"][:32],
        offline=bool(payload.get("offline", False)),
        charging_state=(info.get("chargingState") or None) and info["chargingState"][:24],
        stopped_reason=(info.get("stoppedReason") or None) and info["stoppedReason"][:32],
        remote_start_id=info.get("remoteStartId"),
        id_token=token["idToken"] if token else None,
        id_token_type=token["type"][:32] if token else None,
        evse_id=evse.get("id", 0),
        connector_id=evse.get("connectorId", 0),
        reservation_id=payload.get("reservationId"),
        first_energy=meter.first_energy,
        last_energy=meter.last_energy,
    )
