"""OCPP 2.0.1 messages for domain commands.

`build(command)` returns the action and its payload, or raises `UnsupportedCommandError`.
What the answers mean is in `command_answers.py`. A configuration key is a `VariableKey`
(`Component.Variable`, optionally with instances, EVSE, connector and attribute type).
Date-times go out as RFC 3339 UTC with `Z`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from csms.ocppj import JsonObject, format_timestamp
from shared.authorization import IdToken
from shared.domain.commands import (
    CancelReservation,
    ChargingProfile,
    ClearCache,
    ClearChargingProfile,
    Command,
    DataTransfer,
    GetChargingProfiles,
    GetCompositeSchedule,
    GetConfiguration,
    GetLocalListVersion,
    GetLog,
    GetReport,
    GetTransactionStatus,
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
    TriggerMessage,
    Unlock,
    UnsupportedCommandError,
    UpdateFirmware,
    VariableKey,
)

__all__ = ["build", "charging_profile"]

OcppCall = tuple[str, JsonObject]


def _time(value: datetime) -> str:
    return format_timestamp(value)


def _optional(**values: Any) -> JsonObject:
    return {key: value for key, value in values.items() if value is not None}


def _id_token(token: IdToken) -> JsonObject:
    return {"idToken": token.value, "type": token.type}


def _evse(evse_id: int | None, connector_id: int | None = None) -> JsonObject | None:
    if not evse_id:  # absent or 0: the whole station
        return None
    return _optional(id=evse_id, connectorId=connector_id)


def charging_profile(profile: ChargingProfile) -> JsonObject:
    """A domain profile as 2.0.1 ChargingProfileType (one schedule)."""
    if profile.id is None:
        raise UnsupportedCommandError("the charging profile has no id")
    schedule = profile.schedule
    return _optional(
        id=profile.id,
        stackLevel=profile.stack_level,
        chargingProfilePurpose=profile.purpose.value,
        chargingProfileKind=profile.kind.value,
        recurrencyKind=profile.recurrency.value if profile.recurrency else None,
        validFrom=_time(profile.valid_from) if profile.valid_from else None,
        validTo=_time(profile.valid_to) if profile.valid_to else None,
        transactionId=profile.transaction_ref,
        chargingSchedule=[
            _optional(
                id=schedule.id if schedule.id is not None else profile.id,
                startSchedule=_time(schedule.start) if schedule.start else None,
                duration=schedule.duration_s,
                chargingRateUnit=schedule.rate_unit.value,
                chargingSchedulePeriod=[
                    _optional(
                        startPeriod=period.start_s,
                        limit=round(period.limit, 1),
                        numberPhases=period.number_phases,
                        phaseToUse=period.phase_to_use,
                    )
                    for period in schedule.periods
                ],
                minChargingRate=schedule.min_rate,
            )
        ],
    )


def build_request_start_transaction(command: StartCharging) -> OcppCall:
    if command.remote_start_id is None:
        raise UnsupportedCommandError("the remote start has no remoteStartId")
    profile = command.charging_profile
    return "RequestStartTransaction", _optional(
        evseId=command.evse_id or None,
        remoteStartId=command.remote_start_id,
        idToken=_id_token(command.id_token),
        groupIdToken=_id_token(command.group_id_token) if command.group_id_token else None,
        chargingProfile=charging_profile(profile) if profile else None,
    )


def build_request_stop_transaction(command: StopCharging) -> OcppCall:
    return "RequestStopTransaction", {"transactionId": command.transaction_ref}


def build_reset(command: Reset) -> OcppCall:
    return "Reset", _optional(
        type="Immediate" if command.hard else "OnIdle", evseId=command.evse_id
    )


def build_change_availability(command: SetAvailability) -> OcppCall:
    return "ChangeAvailability", _optional(
        operationalStatus="Operative" if command.operative else "Inoperative",
        evse=_evse(command.evse_id, command.connector_id),
    )


def build_unlock_connector(command: Unlock) -> OcppCall:
    return "UnlockConnector", {"evseId": command.evse_id, "connectorId": command.connector_id}


def _parse_key(key: str) -> VariableKey:
    try:
        return VariableKey.parse(key)
    except ValueError as exc:
        raise UnsupportedCommandError(str(exc)) from None


def _component(key: VariableKey) -> JsonObject:
    return _optional(
        name=key.component,
        instance=key.component_instance,
        evse=_optional(id=key.evse_id, connectorId=key.connector_id)
        if key.evse_id is not None
        else None,
    )


def _variable(key: VariableKey) -> JsonObject:
    return _optional(name=key.variable, instance=key.variable_instance)


def build_set_variables(command: SetConfiguration) -> OcppCall:
    key = _parse_key(command.key)
    data = _optional(
        attributeType=key.attribute_type,
        attributeValue=command.value,
        component=_component(key),
        variable=_variable(key),
    )
    return "SetVariables", {"setVariableData": [data]}


def build_get_variables(command: GetConfiguration) -> OcppCall:
    if not command.keys:
        raise UnsupportedCommandError(
            "OCPP 2.0.1 GetVariables needs at least one Component.Variable key; "
            "ask for a report (GetBaseReport) to read them all"
        )
    keys = [_parse_key(key) for key in command.keys]
    return "GetVariables", {
        "getVariableData": [
            _optional(
                attributeType=key.attribute_type, component=_component(key), variable=_variable(key)
            )
            for key in keys
        ]
    }


def build_get_base_report(command: GetReport) -> OcppCall:
    if command.request_id is None:
        raise UnsupportedCommandError("the report has no requestId")
    return "GetBaseReport", {"requestId": command.request_id, "reportBase": command.base.value}


def build_trigger_message(command: TriggerMessage) -> OcppCall:
    return "TriggerMessage", _optional(
        requestedMessage=command.message.value,
        evse=_evse(command.evse_id, command.connector_id),
    )


def build_set_charging_profile(command: SetChargingProfile | SetChargingLimit) -> OcppCall:
    profile = command.profile() if isinstance(command, SetChargingLimit) else command.profile
    return "SetChargingProfile", {
        "evseId": command.evse_id,
        "chargingProfile": charging_profile(profile),
    }


def build_clear_charging_profile(command: ClearChargingProfile) -> OcppCall:
    criteria = _optional(
        evseId=command.evse_id,
        chargingProfilePurpose=command.purpose.value if command.purpose else None,
        stackLevel=command.stack_level,
    )
    return "ClearChargingProfile", _optional(
        chargingProfileId=command.profile_id, chargingProfileCriteria=criteria or None
    )


def build_get_charging_profiles(command: GetChargingProfiles) -> OcppCall:
    if command.request_id is None:
        raise UnsupportedCommandError("the request has no requestId")
    return "GetChargingProfiles", _optional(
        requestId=command.request_id,
        evseId=command.evse_id,
        chargingProfile=_optional(
            chargingProfilePurpose=command.purpose.value if command.purpose else None,
            stackLevel=command.stack_level,
            chargingProfileId=list(command.profile_ids) or None,
            chargingLimitSource=list(command.sources) or None,
        ),
    )


def build_get_composite_schedule(command: GetCompositeSchedule) -> OcppCall:
    return "GetCompositeSchedule", _optional(
        duration=command.duration_s,
        evseId=command.evse_id,
        chargingRateUnit=command.rate_unit.value if command.rate_unit else None,
    )


def build_reserve_now(command: ReserveNow) -> OcppCall:
    if command.reservation_id is None:
        raise UnsupportedCommandError("the reservation has no id")
    return "ReserveNow", _optional(
        id=command.reservation_id,
        expiryDateTime=_time(command.expiry),
        connectorType=command.connector_type,
        idToken=_id_token(command.id_token),
        evseId=command.evse_id,
        groupIdToken=_id_token(command.group_id_token) if command.group_id_token else None,
    )


def build_cancel_reservation(command: CancelReservation) -> OcppCall:
    return "CancelReservation", {"reservationId": command.reservation_id}


def build_send_local_list(command: SendLocalList) -> OcppCall:
    entries = []
    for entry in command.entries:
        item: JsonObject = {"idToken": _id_token(entry.id_token)}
        if entry.status is not None:  # no idTokenInfo: remove it (differential update, D01)
            item["idTokenInfo"] = _optional(
                status=entry.status.value,
                cacheExpiryDateTime=_time(entry.expiry) if entry.expiry else None,
                groupIdToken=_id_token(entry.group_id_token) if entry.group_id_token else None,
            )
        entries.append(item)
    return "SendLocalList", _optional(
        versionNumber=command.version,
        updateType="Full" if command.full else "Differential",
        localAuthorizationList=entries or None,
    )


def build_get_local_list_version(_command: GetLocalListVersion) -> OcppCall:
    return "GetLocalListVersion", {}


def build_clear_cache(_command: ClearCache) -> OcppCall:
    return "ClearCache", {}


def build_update_firmware(command: UpdateFirmware) -> OcppCall:
    if command.request_id is None:
        raise UnsupportedCommandError("the firmware update has no requestId")
    return "UpdateFirmware", _optional(
        requestId=command.request_id,
        retries=command.retries,
        retryInterval=command.retry_interval_s,
        firmware=_optional(
            location=command.location,
            retrieveDateTime=_time(command.retrieve_at),
            installDateTime=_time(command.install_at) if command.install_at else None,
            signingCertificate=command.signing_certificate,
            signature=command.signature,
        ),
    )


def build_get_log(command: GetLog) -> OcppCall:
    if command.request_id is None:
        raise UnsupportedCommandError("the log upload has no requestId")
    return "GetLog", _optional(
        logType=command.log_type.value,
        requestId=command.request_id,
        retries=command.retries,
        retryInterval=command.retry_interval_s,
        log=_optional(
            remoteLocation=command.location,
            oldestTimestamp=_time(command.oldest) if command.oldest else None,
            latestTimestamp=_time(command.latest) if command.latest else None,
        ),
    )


def build_get_transaction_status(command: GetTransactionStatus) -> OcppCall:
    return "GetTransactionStatus", _optional(transactionId=command.transaction_ref)


def build_data_transfer(command: DataTransfer) -> OcppCall:
    return "DataTransfer", _optional(
        vendorId=command.vendor_id, messageId=command.message_id, data=command.data
    )


def build_raw_call(command: RawCall) -> OcppCall:
    return command.action, dict(command.payload)


_BUILDERS: Final[Mapping[type[Command], Callable[[Any], OcppCall]]] = {
    StartCharging: build_request_start_transaction,
    StopCharging: build_request_stop_transaction,
    Reset: build_reset,
    SetAvailability: build_change_availability,
    Unlock: build_unlock_connector,
    SetConfiguration: build_set_variables,
    GetConfiguration: build_get_variables,
    GetReport: build_get_base_report,
    TriggerMessage: build_trigger_message,
    SetChargingLimit: build_set_charging_profile,
    SetChargingProfile: build_set_charging_profile,
    ClearChargingProfile: build_clear_charging_profile,
    GetChargingProfiles: build_get_charging_profiles,
    GetCompositeSchedule: build_get_composite_schedule,
    ReserveNow: build_reserve_now,
    CancelReservation: build_cancel_reservation,
    SendLocalList: build_send_local_list,
    GetLocalListVersion: build_get_local_list_version,
    ClearCache: build_clear_cache,
    UpdateFirmware: build_update_firmware,
    GetLog: build_get_log,
    GetTransactionStatus: build_get_transaction_status,
    DataTransfer: build_data_transfer,
    RawCall: build_raw_call,
}


def build(command: Command) -> OcppCall:
    """The 2.0.1 action and payload for `command`; raises `UnsupportedCommandError`."""
    builder = _BUILDERS.get(type(command))
    if builder is None:
        raise UnsupportedCommandError(f"{command.kind} is not available in OCPP 2.0.1")
    return builder(command)
