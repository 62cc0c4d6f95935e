"""The command lifecycle as a literal transition table, the normalised result of a command,
and a stored command (`CommandRecord`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Final, TypeAlias

if TYPE_CHECKING:
    from shared.domain.commands.requests import Command

__all__ = [
    "FINAL_STATUSES",
    "TRANSITIONS",
    "CommandRecord",
    "CommandResult",
    "CommandStatus",
    "IllegalTransitionError",
    "JsonObject",
    "JsonValue",
    "UnsupportedCommandError",
    "next_status",
]

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"
JsonObject: TypeAlias = "dict[str, JsonValue]"


class CommandStatus(StrEnum):
    """Where a command is in its lifecycle."""

    PENDING = "pending"  # stored, addressed to the node that holds the station
    SENT = "sent"  # claimed by that node and handed to the station's connection
    ACCEPTED = "accepted"  # the charger said yes (Accepted, Scheduled, Unlocked, …)
    REJECTED = "rejected"  # the charger said no (Rejected, UnlockFailed, NotSupported, …)
    FAILED = "failed"  # never reached the charger, or it answered with a CALLERROR
    TIMEOUT = "timeout"  # no answer within the call timeout


TRANSITIONS: Final[Mapping[CommandStatus, frozenset[CommandStatus]]] = {
    CommandStatus.PENDING: frozenset({CommandStatus.SENT, CommandStatus.FAILED}),
    CommandStatus.SENT: frozenset(
        {
            CommandStatus.ACCEPTED,
            CommandStatus.REJECTED,
            CommandStatus.FAILED,
            CommandStatus.TIMEOUT,
        }
    ),
    CommandStatus.ACCEPTED: frozenset(),
    CommandStatus.REJECTED: frozenset(),
    CommandStatus.FAILED: frozenset(),
    CommandStatus.TIMEOUT: frozenset(),
}

FINAL_STATUSES: Final = frozenset(status for status, nxt in TRANSITIONS.items() if not nxt)


class IllegalTransitionError(RuntimeError):
    """A command was asked to move to a status its lifecycle does not allow."""


def next_status(current: CommandStatus, new: CommandStatus) -> CommandStatus:
    """Return `new` if a command in `current` may move there; raise otherwise."""
    if new not in TRANSITIONS[current]:
        raise IllegalTransitionError(f"a {current.value} command cannot become {new.value}")
    return new


class UnsupportedCommandError(ValueError):
    """The command cannot be expressed for this station (its OCPP version lacks it, or a
    value does not fit the version, e.g. a non-numeric 1.6 transaction id)."""


@dataclass(frozen=True, slots=True)
class CommandResult:
    """The normalised outcome of one command: final status, the charger's answer, why."""

    status: CommandStatus
    response: JsonObject | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.status not in FINAL_STATUSES:
            raise ValueError(f"a result is final; {self.status.value} is not")

    @classmethod
    def from_status(
        cls,
        response: JsonObject,
        *,
        accepted: frozenset[str],
        key: str = "status",
        notes: Mapping[str, str] | None = None,
    ) -> CommandResult:
        """Accepted when `response[key]` is one of `accepted`, otherwise rejected.

        The reason names the charger's status (and its `statusInfo`, 2.0.1), plus a note
        from `notes` for statuses that need one (Scheduled: "takes effect later").
        """
        value = response.get(key)
        if not isinstance(value, str):
            return cls(CommandStatus.FAILED, response, f"the answer has no {key!r}")
        status = CommandStatus.ACCEPTED if value in accepted else CommandStatus.REJECTED
        parts = [] if value == "Accepted" else [value]
        if notes and value in notes:
            parts.append(notes[value])
        info = response.get("statusInfo")
        if isinstance(info, dict) and info.get("reasonCode"):
            extra = info.get("additionalInfo")
            parts.append(f"{info['reasonCode']}" + (f": {extra}" if extra else ""))
        return cls(status, response, "; ".join(parts) or None)


@dataclass(frozen=True, slots=True)
class CommandRecord:
    """A stored command: what was asked, by whom, and what became of it."""

    id: str
    station_id: str
    kind: str
    status: CommandStatus
    request: Command
    requested_by: str
    created_at: datetime
    response: JsonObject | None = None
    error: str | None = None  # why it was not accepted, or the detail of an acceptance
    sent_at: datetime | None = None
    completed_at: datetime | None = None
    ocpp_action: str | None = None
    origin_node: str | None = None  # the node that asked
    target_node: str | None = None  # the node that holds the station's websocket
    timeout_s: float = 0.0  # how long to wait for the charger's answer

    @property
    def finished(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def accepted(self) -> bool:
        return self.status is CommandStatus.ACCEPTED
