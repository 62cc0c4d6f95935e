"""The command executor: sends this node's commands to its stations and stores the answers.

The command service (`shared/cluster/routing.py`) stores and routes commands; when one is
addressed to this node it calls `wake()`. A single claimer task then claims the pending rows
(one transaction) and decides for each, before anything is sent:

- the station has no open connection here → failed, "station X is not connected";
- the station was never accepted (PITFALLS "Real chargers" #11: commands before the boot
  answer cause boot loops) → failed. Accepted means: at a boot on this connection, or at an
  earlier boot when the station is back without rebooting (no BootNotification, 2.0.1 B01);
- the command cannot be expressed in the station's OCPP version, or its payload breaks the
  schema → failed, with the reason;
- otherwise → sent (the row says so before the frame goes out: `sent_at` is when this node
  took it on), and a task hands the CALL to the connection, which sends one at a time per
  station (OCPP-J §4.1.1) and waits up to the command's timeout from the moment it is sent.

The answer becomes a `CommandResult` in the version's `command_answers.py`: CALLRESULT →
accepted/rejected per action; CALLERROR → failed with its code; no answer → timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from csms.connection import CallOutcome, StationConnection, StationOfflineError
from csms.context import CsmsServices
from csms.ocppj import JsonObject, OcppError, get_validator
from csms.registry import ConnectionRegistry
from csms.v16 import builders as v16_builders
from csms.v16 import command_answers as v16_answers
from csms.v201 import builders as v201_builders
from csms.v201 import command_answers as v201_answers
from shared.cluster.routing import RoutedCommandService
from shared.commands import Claimed
from shared.domain.commands import (
    Command,
    CommandRecord,
    CommandResult,
    CommandStatus,
    StartCharging,
    UnsupportedCommandError,
)
from shared.domain.stations import RegistrationStatus
from shared.logging import get_logger
from shared.store.tables import stations
from shared.store.uow import UnitOfWork

__all__ = ["BUILDERS", "CommandExecutor", "VersionCommands"]

log = get_logger(__name__)

AnswerWriter = Callable[[UnitOfWork], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class VersionCommands:
    """How one OCPP version says commands and reads the answers."""

    build: Callable[[Command], tuple[str, JsonObject]]
    interpret: Callable[[Command, str, JsonObject], CommandResult]
    answer_writer: Callable[[str, Command, CommandResult], AnswerWriter | None]


#: Per OCPP version: `csms/<version>/builders.py` and `command_answers.py`.
BUILDERS: dict[str, VersionCommands] = {
    "1.6": VersionCommands(v16_builders.build, v16_answers.interpret, v16_answers.answer_writer),
    "2.0.1": VersionCommands(
        v201_builders.build, v201_answers.interpret, v201_answers.answer_writer
    ),
}


@dataclass(frozen=True, slots=True)
class _Plan:
    connection: StationConnection
    payload: JsonObject


# How long a station may take to start a transaction it was asked to start (it may wait for
# the cable: 1.6 ConnectionTimeOut, 2.0.1 EVConnectionTimeOut, typically 30–180 s).
_REMOTE_START_GRANT = timedelta(minutes=10)


class CommandExecutor:
    """Runs the commands addressed to this node. `start()`, then `aclose()` at shutdown."""

    def __init__(
        self,
        services: CsmsServices,
        registry: ConnectionRegistry,
        commands: RoutedCommandService,
    ) -> None:
        self._services = services
        self._registry = registry
        self._commands = commands
        self._wanted: set[str] = set()
        self._want_all = False
        self._wakeup = asyncio.Event()
        self._claimer: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()
        commands.attach_executor(self)

    # --- LocalExecutor -------------------------------------------------------------------

    def holds(self, station_id: str) -> bool:
        """True when this node has an open websocket to the station."""
        connection = self._registry.get(station_id)
        return connection is not None and not connection.closed.is_set()

    def wake(self, command_ids: Collection[str] = ()) -> None:
        """Claim these pending commands soon (none given: all addressed to this node)."""
        if command_ids:
            self._wanted.update(command_ids)
        else:
            self._want_all = True
        self._wakeup.set()

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> None:
        if self._claimer is None:
            self._claimer = asyncio.create_task(self._claim_loop(), name="commands.claimer")

    async def aclose(self) -> None:
        """Stop claiming; wait for calls in flight (they end when their sockets close)."""
        claimer, self._claimer = self._claimer, None
        if claimer is not None:
            claimer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await claimer
        if self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)

    async def _claim_loop(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            ids = None if self._want_all else set(self._wanted)
            self._wanted.clear()
            self._want_all = False
            try:
                claimed = await self._commands.claim(ids, self._triage)
            except Exception:
                log.exception("command.claim.failed")
                continue
            for item in claimed:
                task = asyncio.create_task(self._send(item), name=f"command.{item.record.id}")
                self._sending.add(task)
                task.add_done_callback(self._sending.discard)

    # --- deciding and sending ------------------------------------------------------------

    async def _triage(
        self, uow: UnitOfWork, record: CommandRecord
    ) -> tuple[str, _Plan] | CommandResult:
        connection = self._registry.get(record.station_id)
        if connection is None or connection.closed.is_set():
            return _failed(f"station {record.station_id} is not connected")
        if not await self._may_send(uow, connection):
            return _failed(
                f"station {record.station_id} has not been accepted yet (BootNotification); "
                "nothing is sent to it before"
            )
        builders = BUILDERS[connection.version]
        try:
            action, payload = builders.build(record.request)
            get_validator(connection.version, "strict").validate_request(action, payload)
        except UnsupportedCommandError as exc:
            return _failed(str(exc))
        except OcppError as exc:
            return _failed(
                f"the {record.kind} payload is not valid OCPP {connection.version}: {exc}"
            )
        return action, _Plan(connection, payload)

    async def _may_send(self, uow: UnitOfWork, connection: StationConnection) -> bool:
        """Accepted at a boot on this connection, or accepted at an earlier boot and back
        without rebooting (a reconnect sends no BootNotification, 2.0.1 B01)."""
        view = connection.ctx.view
        if view.booted:
            return True
        if view.registration is not RegistrationStatus.ACCEPTED:
            return False
        row = (
            await uow.conn.execute(
                select(stations.c.last_boot_at, stations.c.registration_status).where(
                    stations.c.id == connection.station_id
                )
            )
        ).first()
        return (
            row is not None
            and row.last_boot_at is not None
            and row.registration_status == RegistrationStatus.ACCEPTED.value
        )

    async def _send(self, item: Claimed[_Plan]) -> None:
        record, plan = item.record, item.plan
        builders = BUILDERS[plan.connection.version]
        start = record.request if isinstance(record.request, StartCharging) else None
        if start is not None:
            until = datetime.now(UTC) + _REMOTE_START_GRANT
            self._services.authorizer.grant_remote_start(record.station_id, start.id_token, until)
        try:
            outcome = await plan.connection.call(item.action, plan.payload, record.timeout_s)
            result = _interpret(builders, plan.connection.version, record, outcome)
        except StationOfflineError as exc:
            result = _failed(str(exc))
        except Exception as exc:
            log.exception("command.send.failed", command_id=record.id)
            result = _failed(f"internal error while sending: {exc!r}")
        if start is not None and result.status is not CommandStatus.ACCEPTED:
            self._services.authorizer.revoke_remote_start(record.station_id, start.id_token)
        writer = None
        if result.status is CommandStatus.ACCEPTED:
            writer = builders.answer_writer(record.station_id, record.request, result)
        try:
            await self._commands.complete(record, result, writer)
        except Exception:
            log.exception("command.complete.failed", command_id=record.id)


def _interpret(
    builders: VersionCommands, version: str, record: CommandRecord, outcome: CallOutcome
) -> CommandResult:
    """The result of a call: timeout, CALLERROR (failed, with its code) or the answer."""
    if outcome.timed_out:
        return CommandResult(
            CommandStatus.TIMEOUT,
            None,
            f"station {record.station_id} did not answer {outcome.action} "
            f"within {record.timeout_s:g} s",
        )
    if outcome.error is not None:
        error = outcome.error
        code = error.raw_code or error.code.value
        return CommandResult(
            CommandStatus.FAILED,
            {
                "errorCode": code,
                "errorDescription": error.description,
                "errorDetails": error.details,
            },
            f"CALLERROR {code}" + (f": {error.description}" if error.description else ""),
        )
    answer: JsonObject = outcome.result or {}
    _check_answer(version, record, outcome.action, answer)
    result: CommandResult = builders.interpret(record.request, outcome.action, answer)
    return result


def _check_answer(version: str, record: CommandRecord, action: str, answer: JsonObject) -> None:
    # The answer is read defensively whatever it holds; a schema violation is only logged
    # (PITFALLS "Real chargers" #5: keep what can be kept).
    try:
        warnings = get_validator(version).validate_response(action, answer, lenient=True)
    except OcppError as exc:
        log.warning("command.answer.invalid", command_id=record.id, action=action, error=str(exc))
        return
    if warnings:
        log.warning("command.answer.lenient", command_id=record.id, warnings=warnings)


def _failed(reason: str) -> CommandResult:
    return CommandResult(CommandStatus.FAILED, None, reason)
