"""OCPP 1.6 messages for domain commands.

`build(command)` returns the action and its payload (1.6 §5, the CSMS-initiated messages),
or raises `UnsupportedCommandError` for what 1.6 cannot say. What the answers mean is in
`command_answers.py`. 1.6 has no EVSEs: EVSE N is connector N, and EVSE 0 is the whole
charge point. Date-times go out as RFC 3339 UTC with `Z`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

import orjson

from csms.ocppj import JsonObject, format_timestamp
from shared.authorization import AuthorizationStatus
from shared.domain.commands import (
    CancelReservation,
    ChargingProfile,
    ChargingProfilePurpose,
    ClearCache,
    ClearChargingProfile,
    Command,
    DataTransfer,
    GetCompositeSchedule,
    GetConfiguration,
    GetLocalListVersion,
    GetLog,
    GetReport,
    LogType,
    RawCall,
    ReserveNow,
    Reset,
    SendLocalList,
    SetAvailability,
    SetChargingLimit,
    SetChargingProfile,
    SetConfiguration,
    StartCharging,
    StopCharging,
    TriggerableMessage,
    TriggerMessage,
    Unlock,
    UnsupportedCommandError,
    UpdateFirmware,
)
from shared.store.uow import UnitOfWork

__all__ = ["build", "charging_profile"]

OcppCall = tuple[str, JsonObject]
AnswerWriter = Callable[[UnitOfWork], Any]

_ID_TAG_LENGTH: Final = 20  # IdToken is CiString20Type (1.6 §7.28)


def _time(value: datetime) -> str:
    return format_timestamp(value)


def _optional(**values: Any) -> JsonObject:
    return {key: value for key, value in values.items() if value is not None}


def _id_tag(value: str) -> str:
    if len(value) > _ID_TAG_LENGTH:
        raise UnsupportedCommandError(f"id tag {value!r} is longer than 1.6's 20 characters")
    return value


def _transaction_id(ref: str) -> int:
    try:
        return int(ref)
    except ValueError:
        raise UnsupportedCommandError(
            f"1.6 transaction ids are integers; {ref!r} is not one"
        ) from None


def _limit(value: float) -> float:
    # 1.6 schedules allow one decimal (multipleOf 0.1).
    return round(value, 1)


_PURPOSES: Final[Mapping[ChargingProfilePurpose, str]] = {
    ChargingProfilePurpose.STATION_MAX: "ChargePointMaxProfile",
    ChargingProfilePurpose.TX_DEFAULT: "TxDefaultProfile",
    ChargingProfilePurpose.TX: "TxProfile",
}


def _purpose(purpose: ChargingProfilePurpose) -> str:
    name = _PURPOSES.get(purpose)
    if name is None:
        raise UnsupportedCommandError(f"OCPP 1.6 has no {purpose.value}")
    return name


def charging_profile(profile: ChargingProfile) -> JsonObject:
    """A domain profile as 1.6 ChargingProfile (§7.8)."""
    if profile.id is None:
        raise UnsupportedCommandError("the charging profile has no id")
    schedule = profile.schedule
    return _optional(
        chargingProfileId=profile.id,
        transactionId=(
            _transaction_id(profile.transaction_ref) if profile.transaction_ref else None
        ),
        stackLevel=profile.stack_level,
        chargingProfilePurpose=_purpose(profile.purpose),
        chargingProfileKind=profile.kind.value,
        recurrencyKind=profile.recurrency.value if profile.recurrency else None,
        validFrom=_time(profile.valid_from) if profile.valid_from else None,
        validTo=_time(profile.valid_to) if profile.valid_to else None,
        chargingSchedule=_optional(
            duration=schedule.duration_s,
            startSchedule=_time(schedule.start) if schedule.start else None,
            chargingRateUnit=schedule.rate_unit.value,
            chargingSchedulePeriod=[
                _optional(
                    startPeriod=period.start_s,
                    limit=_limit(period.limit),
                    numberPhases=period.number_phases,
                )
                for period in schedule.periods
            ],
            minChargingRate=_limit(schedule.min_rate) if schedule.min_rate else None,
        ),
    )


def build_remote_start_transaction(command: StartCharging) -> OcppCall:
    profile = command.charging_profile
    return "RemoteStartTransaction", _optional(
        connectorId=command.evse_id or None,
        idTag=_id_tag(command.id_token.value),
        chargingProfile=charging_profile(profile) if profile else None,
    )


def build_remote_stop_transaction(command: StopCharging) -> OcppCall:
    return "RemoteStopTransaction", {"transactionId": _transaction_id(command.transaction_ref)}


def build_reset(command: Reset) -> OcppCall:
    if command.evse_id is not None:
        raise UnsupportedCommandError("OCPP 1.6 cannot reset a single connector")
    return "Reset", {"type": "Hard" if command.hard else "Soft"}


def build_change_availability(command: SetAvailability) -> OcppCall:
    if command.connector_id not in (None, 1) and command.evse_id:
        raise UnsupportedCommandError("in OCPP 1.6 EVSE N is connector N: give no connector id")
    state = "Operative" if command.operative else "Inoperative"
    return "ChangeAvailability", {"connectorId": command.evse_id, "type": state}


def build_unlock_connector(command: Unlock) -> OcppCall:
    return "UnlockConnector", {"connectorId": command.evse_id}


def build_change_configuration(command: SetConfiguration) -> OcppCall:
    return "ChangeConfiguration", {"key": command.key, "value": command.value}


def build_get_configuration(command: GetConfiguration | GetReport) -> OcppCall:
    keys = command.keys if isinstance(command, GetConfiguration) else ()
    return "GetConfiguration", {"key": list(keys)} if keys else {}


_TRIGGERS: Final[Mapping[TriggerableMessage, str]] = {
    TriggerableMessage.BOOT_NOTIFICATION: "BootNotification",
    TriggerableMessage.HEARTBEAT: "Heartbeat",
    TriggerableMessage.STATUS_NOTIFICATION: "StatusNotification",
    TriggerableMessage.METER_VALUES: "MeterValues",
    TriggerableMessage.FIRMWARE_STATUS_NOTIFICATION: "FirmwareStatusNotification",
    TriggerableMessage.LOG_STATUS_NOTIFICATION: "DiagnosticsStatusNotification",
}


def build_trigger_message(command: TriggerMessage) -> OcppCall:
    requested = _TRIGGERS.get(command.message)
    if requested is None:
        raise UnsupportedCommandError(f"OCPP 1.6 cannot trigger {command.message.value}")
    return "TriggerMessage", _optional(requestedMessage=requested, connectorId=command.evse_id)


def build_set_charging_profile(command: SetChargingProfile | SetChargingLimit) -> OcppCall:
    profile = command.profile() if isinstance(command, SetChargingLimit) else command.profile
    return "SetChargingProfile", {
        "connectorId": command.evse_id,
        "csChargingProfiles": charging_profile(profile),
    }


def build_clear_charging_profile(command: ClearChargingProfile) -> OcppCall:
    return "ClearChargingProfile", _optional(
        id=command.profile_id,
        connectorId=command.evse_id,
        chargingProfilePurpose=_purpose(command.purpose) if command.purpose else None,
        stackLevel=command.stack_level,
    )


def build_get_composite_schedule(command: GetCompositeSchedule) -> OcppCall:
    return "GetCompositeSchedule", _optional(
        connectorId=command.evse_id,
        duration=command.duration_s,
        chargingRateUnit=command.rate_unit.value if command.rate_unit else None,
    )


def build_reserve_now(command: ReserveNow) -> OcppCall:
    if command.reservation_id is None:
        raise UnsupportedCommandError("the reservation has no id")
    return "ReserveNow", _optional(
        connectorId=command.evse_id or 0,
        expiryDate=_time(command.expiry),
        idTag=_id_tag(command.id_token.value),
        parentIdTag=_id_tag(command.group_id_token.value) if command.group_id_token else None,
        reservationId=command.reservation_id,
    )


def build_cancel_reservation(command: CancelReservation) -> OcppCall:
    return "CancelReservation", {"reservationId": command.reservation_id}


# 1.6 AuthorizationStatus has five values; 2.0.1's extra refusals all read as Invalid.
_V16_STATUSES: Final = frozenset({"Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"})


def _auth_status(status: AuthorizationStatus) -> str:
    return status.value if status.value in _V16_STATUSES else "Invalid"


def build_send_local_list(command: SendLocalList) -> OcppCall:
    entries = []
    for entry in command.entries:
        item: JsonObject = {"idTag": _id_tag(entry.id_token.value)}
        if entry.status is not None:  # no idTagInfo: remove it (differential update)
            item["idTagInfo"] = _optional(
                status=_auth_status(entry.status),
                expiryDate=_time(entry.expiry) if entry.expiry else None,
                parentIdTag=_id_tag(entry.group_id_token.value) if entry.group_id_token else None,
            )
        entries.append(item)
    return "SendLocalList", _optional(
        listVersion=command.version,
        updateType="Full" if command.full else "Differential",
        localAuthorizationList=entries or None,
    )


def build_get_local_list_version(_command: GetLocalListVersion) -> OcppCall:
    return "GetLocalListVersion", {}


def build_clear_cache(_command: ClearCache) -> OcppCall:
    return "ClearCache", {}


def build_update_firmware(command: UpdateFirmware) -> OcppCall:
    if command.signature or command.signing_certificate or command.install_at:
        raise UnsupportedCommandError("OCPP 1.6 UpdateFirmware has no signature or install time")
    return "UpdateFirmware", _optional(
        location=command.location,
        retrieveDate=_time(command.retrieve_at),
        retries=command.retries,
        retryInterval=command.retry_interval_s,
    )


def build_get_diagnostics(command: GetLog) -> OcppCall:
    if command.log_type is not LogType.DIAGNOSTICS:
        raise UnsupportedCommandError("OCPP 1.6 only uploads diagnostics (GetDiagnostics)")
    return "GetDiagnostics", _optional(
        location=command.location,
        retries=command.retries,
        retryInterval=command.retry_interval_s,
        startTime=_time(command.oldest) if command.oldest else None,
        stopTime=_time(command.latest) if command.latest else None,
    )


def build_data_transfer(command: DataTransfer) -> OcppCall:
    data = command.data
    if data is not None and not isinstance(data, str):
        data = orjson.dumps(data).decode()  # 1.6 data is a string (§6.17)
    return "DataTransfer", _optional(
        vendorId=command.vendor_id, messageId=command.message_id, data=data
    )


def build_raw_call(command: RawCall) -> OcppCall:
    return command.action, dict(command.payload)


_BUILDERS: Final[Mapping[type[Command], Callable[[Any], OcppCall]]] = {
    StartCharging: build_remote_start_transaction,
    StopCharging: build_remote_stop_transaction,
    Reset: build_reset,
    SetAvailability: build_change_availability,
    Unlock: build_unlock_connector,
    SetConfiguration: build_change_configuration,
    GetConfiguration: build_get_configuration,
    GetReport: build_get_configuration,
    TriggerMessage: build_trigger_message,
    SetChargingLimit: build_set_charging_profile,
    SetChargingProfile: build_set_charging_profile,
    ClearChargingProfile: build_clear_charging_profile,
    GetCompositeSchedule: build_get_composite_schedule,
    ReserveNow: build_reserve_now,
    CancelReservation: build_cancel_reservation,
    SendLocalList: build_send_local_list,
    GetLocalListVersion: build_get_local_list_version,
    ClearCache: build_clear_cache,
    UpdateFirmware: build_update_firmware,
    GetLog: build_get_diagnostics,
    DataTransfer: build_data_transfer,
    RawCall: build_raw_call,
}


def build(command: Command) -> OcppCall:
    """The 1.6 action and payload for `command`; raises `UnsupportedCommandError`."""
    builder = _BUILDERS.get(type(command))
    if builder is None:
        raise UnsupportedCommandError(f"{command.kind} is not available in OCPP 1.6")
    return builder(command)
