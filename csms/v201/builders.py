"""OCPP 2.0.1 messages for domain commands, and what the station's answers mean.

`build(command)` returns the action and its payload; `interpret(command, action, answer)`
turns the CALLRESULT into a `CommandResult` (a `statusInfo` goes into the reason);
`answer_writer(station_id, command, result)` stores what GetVariables / SetVariables teach us
in the device model (B06, B05). A configuration key is a `VariableKey`
(`Component.Variable`, optionally with instances, EVSE, connector and attribute type).
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
    CommandResult,
    CommandStatus,
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
from shared.store.device_model import (
    VariableAddress,
    VariableReading,
    record_get_variables_results,
    record_variable_values,
)
from shared.store.uow import UnitOfWork

__all__ = ["answer_writer", "build", "interpret"]

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


# --- answers -------------------------------------------------------------------------------

_ACCEPTED: Final = frozenset({"Accepted"})
_SCHEDULED: Final = "it takes effect when the running transaction ends"


def _status(
    accepted: frozenset[str] = _ACCEPTED, **notes: str
) -> Callable[[JsonObject], CommandResult]:
    def interpret_status(answer: JsonObject) -> CommandResult:
        return CommandResult.from_status(answer, accepted=accepted, notes=notes)

    return interpret_status


def _first(answer: JsonObject, key: str) -> JsonObject | None:
    items = answer.get(key)
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0]
    return None


def _set_variables(answer: JsonObject) -> CommandResult:
    result = _first(answer, "setVariableResult")
    if result is None:
        return CommandResult(CommandStatus.FAILED, answer, "the answer has no setVariableResult")
    verdict = CommandResult.from_status(
        result,
        key="attributeStatus",
        accepted=frozenset({"Accepted", "RebootRequired"}),
        notes={"RebootRequired": "it takes effect after the station reboots"},
    )
    info = result.get("attributeStatusInfo")
    reason = verdict.reason
    if isinstance(info, dict) and info.get("reasonCode"):
        reason = "; ".join(filter(None, [reason, str(info["reasonCode"])]))
    return CommandResult(verdict.status, answer, reason)


def _get_variables(answer: JsonObject) -> CommandResult:
    results = answer.get("getVariableResult")
    if not isinstance(results, list):
        return CommandResult(CommandStatus.FAILED, answer, "the answer has no getVariableResult")
    statuses = [str(item.get("attributeStatus")) for item in results if isinstance(item, dict)]
    accepted = statuses.count("Accepted")
    others = sorted({status for status in statuses if status != "Accepted"})
    reason = f"{accepted} of {len(statuses)} accepted" + (
        f" ({', '.join(others)})" if others else ""
    )
    return CommandResult(CommandStatus.ACCEPTED, answer, reason)


def _get_local_list_version(answer: JsonObject) -> CommandResult:
    version = answer.get("versionNumber")
    if not isinstance(version, int):
        return CommandResult(CommandStatus.FAILED, answer, "the answer has no versionNumber")
    return CommandResult(CommandStatus.ACCEPTED, answer, f"list version {version}")


def _get_transaction_status(answer: JsonObject) -> CommandResult:
    queued = answer.get("messagesInQueue")
    if not isinstance(queued, bool):
        return CommandResult(CommandStatus.FAILED, answer, "the answer has no messagesInQueue")
    ongoing = answer.get("ongoingIndicator")
    parts = [] if ongoing is None else ["ongoing" if ongoing else "not ongoing"]
    parts.append("messages queued" if queued else "no messages queued")
    return CommandResult(CommandStatus.ACCEPTED, answer, ", ".join(parts))


def _get_log(answer: JsonObject) -> CommandResult:
    verdict = CommandResult.from_status(
        answer,
        accepted=frozenset({"Accepted", "AcceptedCanceled"}),
        notes={"AcceptedCanceled": "an earlier upload was cancelled"},
    )
    name = answer.get("filename")
    if verdict.status is CommandStatus.ACCEPTED and name:
        reason = "; ".join(filter(None, [f"uploading {name}", verdict.reason]))
        return CommandResult(verdict.status, answer, reason)
    return verdict


_GENERIC_ACCEPTED: Final = frozenset(
    {"Accepted", "Scheduled", "RebootRequired", "Unlocked", "AcceptedCanceled"}
)


def _generic(answer: JsonObject) -> CommandResult:
    if isinstance(answer.get("status"), str):
        return CommandResult.from_status(answer, accepted=_GENERIC_ACCEPTED)
    return CommandResult(CommandStatus.ACCEPTED, answer, None)


_INTERPRETERS: Final[Mapping[str, Callable[[JsonObject], CommandResult]]] = {
    "RequestStartTransaction": _status(),
    "RequestStopTransaction": _status(),
    "Reset": _status(frozenset({"Accepted", "Scheduled"}), Scheduled=_SCHEDULED),
    "ChangeAvailability": _status(frozenset({"Accepted", "Scheduled"}), Scheduled=_SCHEDULED),
    "UnlockConnector": _status(frozenset({"Unlocked"})),
    "SetVariables": _set_variables,
    "GetVariables": _get_variables,
    "GetBaseReport": _status(),
    "TriggerMessage": _status(),
    "SetChargingProfile": _status(),
    "ClearChargingProfile": _status(Unknown="no charging profile matched"),
    "GetChargingProfiles": _status(NoProfiles="no charging profile matched"),
    "GetCompositeSchedule": _status(),
    "ReserveNow": _status(),
    "CancelReservation": _status(),
    "SendLocalList": _status(),
    "GetLocalListVersion": _get_local_list_version,
    "ClearCache": _status(),
    "UpdateFirmware": _status(
        frozenset({"Accepted", "AcceptedCanceled"}),
        AcceptedCanceled="an earlier firmware update was cancelled",
    ),
    "GetLog": _get_log,
    "GetTransactionStatus": _get_transaction_status,
    "DataTransfer": _status(),
}


def interpret(command: Command, action: str, answer: JsonObject) -> CommandResult:
    """What the station's CALLRESULT to `action` means for `command`."""
    if isinstance(command, RawCall):
        return _generic(answer)
    return _INTERPRETERS.get(action, _generic)(answer)


def _address(component: Any, variable: Any, attribute_type: Any) -> VariableAddress | None:
    if not isinstance(component, dict) or not isinstance(variable, dict):
        return None
    evse = component.get("evse")
    if not isinstance(evse, dict):
        evse = {}
    return VariableAddress(
        component=str(component.get("name", "")),
        variable=str(variable.get("name", "")),
        component_instance=str(component.get("instance") or ""),
        evse_id=int(evse.get("id") or 0),
        connector_id=int(evse.get("connectorId") or 0),
        variable_instance=str(variable.get("instance") or ""),
        attribute_type=str(attribute_type or "Actual"),
    )


def answer_writer(
    station_id: str, command: Command, result: CommandResult
) -> Callable[[UnitOfWork], Any] | None:
    """A use case storing what the answer says about the device model, or None."""
    answer: JsonObject = result.response or {}
    if isinstance(command, GetConfiguration) and result.status is CommandStatus.ACCEPTED:
        readings = []
        for item in answer.get("getVariableResult") or []:
            if not isinstance(item, dict):
                continue
            address = _address(
                item.get("component"), item.get("variable"), item.get("attributeType")
            )
            if address is not None:
                value = item.get("attributeValue")
                readings.append(VariableReading(address, str(item.get("attributeStatus")), value))

        async def store_readings(uow: UnitOfWork) -> None:
            record_get_variables_results(uow, station_id, readings)

        return store_readings
    if isinstance(command, SetConfiguration) and result.status is CommandStatus.ACCEPTED:
        key = VariableKey.parse(command.key)
        address = VariableAddress(
            component=key.component,
            variable=key.variable,
            component_instance=key.component_instance or "",
            evse_id=key.evse_id or 0,
            connector_id=key.connector_id or 0,
            variable_instance=key.variable_instance or "",
            attribute_type=key.attribute_type or "Actual",
        )

        async def store_value(uow: UnitOfWork) -> None:
            record_variable_values(uow, station_id, [(address, command.value)])

        return store_value
    return None
