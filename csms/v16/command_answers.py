"""What a charger's answers to our OCPP 1.6 calls mean (`interpret`) and what they teach us
about its device model (`answer_writer`). The builders are in `builders.py`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Final

from csms.ocppj import JsonObject
from shared.domain.commands import (
    Command,
    CommandResult,
    CommandStatus,
    GetConfiguration,
    GetReport,
    RawCall,
    SetConfiguration,
)
from shared.store.device_model import (
    ConfigurationKey,
    VariableAddress,
    record_configuration_keys,
    record_variable_values,
)
from shared.store.uow import UnitOfWork

__all__ = ["answer_writer", "interpret"]

_ACCEPTED: Final = frozenset({"Accepted"})
_SCHEDULED: Final = {"Scheduled": "it takes effect when the running transaction ends"}
_REBOOT: Final = {"RebootRequired": "it takes effect after the charger reboots"}


def _status(
    accepted: frozenset[str] = _ACCEPTED, **notes: str
) -> Callable[[JsonObject], CommandResult]:
    def interpret_status(answer: JsonObject) -> CommandResult:
        return CommandResult.from_status(answer, accepted=accepted, notes=notes)

    return interpret_status


def _get_configuration(answer: JsonObject) -> CommandResult:
    keys = answer.get("configurationKey") or []
    unknown = answer.get("unknownKey") or []
    reason = f"{len(keys)} key(s)" + (
        f"; unknown: {', '.join(map(str, unknown))}" if unknown else ""
    )
    return CommandResult(CommandStatus.ACCEPTED, answer, reason)


def _get_local_list_version(answer: JsonObject) -> CommandResult:
    version = answer.get("listVersion")
    if not isinstance(version, int):
        return CommandResult(CommandStatus.FAILED, answer, "the answer has no listVersion")
    if version == -1:  # §6.36: -1 = no local authorization list support
        return CommandResult(CommandStatus.REJECTED, answer, "the charger has no local list")
    return CommandResult(CommandStatus.ACCEPTED, answer, f"list version {version}")


def _get_diagnostics(answer: JsonObject) -> CommandResult:
    name = answer.get("fileName")
    reason = f"uploading {name}" if name else "no diagnostics information available"
    return CommandResult(CommandStatus.ACCEPTED, answer, reason)


def _update_firmware(answer: JsonObject) -> CommandResult:
    return CommandResult(CommandStatus.ACCEPTED, answer, None)  # the answer is empty (§6.55)


_GENERIC_ACCEPTED: Final = frozenset(
    {"Accepted", "Scheduled", "RebootRequired", "Unlocked", "AcceptedCanceled"}
)


def _generic(answer: JsonObject) -> CommandResult:
    if isinstance(answer.get("status"), str):
        return CommandResult.from_status(answer, accepted=_GENERIC_ACCEPTED)
    return CommandResult(CommandStatus.ACCEPTED, answer, None)


_INTERPRETERS: Final[Mapping[str, Callable[[JsonObject], CommandResult]]] = {
    "RemoteStartTransaction": _status(),
    "RemoteStopTransaction": _status(),
    "Reset": _status(),
    "ChangeAvailability": _status(frozenset({"Accepted", "Scheduled"}), **_SCHEDULED),
    "UnlockConnector": _status(frozenset({"Unlocked"})),
    "ChangeConfiguration": _status(frozenset({"Accepted", "RebootRequired"}), **_REBOOT),
    "GetConfiguration": _get_configuration,
    "TriggerMessage": _status(),
    "SetChargingProfile": _status(),
    "ClearChargingProfile": _status(Unknown="no charging profile matched"),
    "GetCompositeSchedule": _status(),
    "ReserveNow": _status(),
    "CancelReservation": _status(),
    "SendLocalList": _status(),
    "GetLocalListVersion": _get_local_list_version,
    "ClearCache": _status(),
    "UpdateFirmware": _update_firmware,
    "GetDiagnostics": _get_diagnostics,
    "DataTransfer": _status(),
}


def interpret(command: Command, action: str, answer: JsonObject) -> CommandResult:
    """What the charger's CALLRESULT to `action` means for `command`."""
    if isinstance(command, RawCall):
        return _generic(answer)
    return _INTERPRETERS.get(action, _generic)(answer)


def answer_writer(
    station_id: str, command: Command, result: CommandResult
) -> Callable[[UnitOfWork], Awaitable[None]] | None:
    """A use case storing what the answer says about the device model, or None."""
    answer: JsonObject = result.response or {}
    if (
        isinstance(command, GetConfiguration | GetReport)
        and result.status is CommandStatus.ACCEPTED
    ):
        keys = [
            ConfigurationKey(
                key=str(item["key"]),
                value=None if item.get("value") is None else str(item["value"]),
                readonly=bool(item.get("readonly", False)),
            )
            for item in answer.get("configurationKey") or []
            if isinstance(item, dict) and isinstance(item.get("key"), str)
        ]
        unknown = [str(key) for key in answer.get("unknownKey") or []]

        async def store_keys(uow: UnitOfWork) -> None:
            record_configuration_keys(uow, station_id, keys, unknown)

        return store_keys
    if isinstance(command, SetConfiguration) and result.status is CommandStatus.ACCEPTED:
        address = VariableAddress.configuration_key(command.key)

        async def store_value(uow: UnitOfWork) -> None:
            record_variable_values(uow, station_id, [(address, command.value)])

        return store_value
    return None
