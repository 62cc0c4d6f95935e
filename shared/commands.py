"""The command service API: the one way to ask a charging station to do something.

Callers (CLI/admin API, OCPI gateway, load management) hand a domain command
(`shared/domain/commands/`) to `CommandService.submit` (stored and routed, returns at once)
or `execute` (waits for the charger's answer) and get a `CommandRecord` back; none of them
builds an OCPP payload. The implementation is `shared.cluster.routing.RoutedCommandService`,
which routes each command to the node holding the station's websocket (DESIGN.md
"Commands"); that node's `LocalExecutor` (`csms/commands.py`) sends it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Generic, Protocol, TypeVar

from shared.domain.commands import Command, CommandRecord, CommandResult
from shared.store.uow import UnitOfWork

__all__ = [
    "AnswerWriter",
    "Claimed",
    "CommandRecord",
    "CommandService",
    "LocalExecutor",
    "Triage",
]

P = TypeVar("P")

#: What an executor decides for a claimed command: send it (the OCPP action and its plan)
#: or fail it now (a result, e.g. "station X is not connected").
Triage = Callable[[UnitOfWork, CommandRecord], Awaitable["tuple[str, P] | CommandResult"]]

#: Stores what an answer teaches (device model values), in the transaction of the result.
AnswerWriter = Callable[[UnitOfWork], Awaitable[None]]


class CommandService(Protocol):
    """What callers use. Fakes for tests implement these five methods."""

    async def submit(
        self,
        station_id: str,
        command: Command,
        requested_by: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 (the answer timeout, not ours)
    ) -> CommandRecord:
        """Store and route `command`; returns at once (pending, or failed when the station
        cannot be reached). `timeout`: how long to wait for the charger's answer (default
        `[ocpp] call_timeout`)."""
        ...

    async def execute(
        self,
        station_id: str,
        command: Command,
        requested_by: str,
        timeout: float | None = None,  # noqa: ASYNC109 (the answer timeout, not ours)
    ) -> CommandRecord:
        """`submit`, then wait for the final state (returned as it stands if it takes longer
        than the answer timeout plus routing slack)."""
        ...

    async def wait(self, command_id: str, timeout: float) -> CommandRecord | None:  # noqa: ASYNC109
        """The command once finished, or as it stands after `timeout` seconds."""
        ...

    async def get(self, command_id: str) -> CommandRecord | None: ...

    async def list(self, station_id: str | None = None, limit: int = 100) -> list[CommandRecord]:
        """Newest first."""
        ...


class LocalExecutor(Protocol):
    """The part of this node that talks to its stations (`csms.commands.CommandExecutor`)."""

    def holds(self, station_id: str) -> bool:
        """True when this node has an open websocket to the station."""
        ...

    def wake(self, command_ids: Collection[str] = ()) -> None:
        """Claim and run these pending commands (none given: every one addressed to us)."""
        ...


class Claimed(Generic[P]):
    """A command this node claimed and is about to send."""

    __slots__ = ("action", "plan", "record")

    def __init__(self, record: CommandRecord, action: str, plan: P) -> None:
        self.record = record
        self.action = action
        self.plan = plan
