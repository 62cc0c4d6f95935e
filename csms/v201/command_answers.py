"""What a station's answers to our OCPP 2.0.1 calls mean (`interpret`) and what they teach us
about its device model (`answer_writer`). The builders are in `builders.py`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from csms.ocppj import JsonObject
from shared.domain.commands import (
    Command,
    CommandResult,
    CommandStatus,
    GetConfiguration,
    RawCall,
    SetConfiguration,
    VariableKey,
)
from shared.store.device_model import (
    VariableAddress,
    VariableReading,
    record_get_variables_results,
    record_variable_values,
)
from shared.store.uow import UnitOfWork

__all__ = ["answer_writer", "interpret"]

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
) -> Callable[[UnitOfWork], Awaitable[None]] | None:
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
