"""OCPI 2.2.1 *Commands* module (mod_commands).

The eMSP POSTs a command object to ``{commands}/{CommandType}``; the CPO
answers at once with a `CommandResponse` and later POSTs a `CommandResult` to
the command's `response_url`. `COMMAND_REQUEST_MODELS` maps each CommandType
to its request model.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Self

from pydantic import model_validator

from .base import OcpiEnum, OcpiModel
from .common import DisplayText
from .primitives import URL, CiString36, DateTime, Int
from .tokens import Token

__all__ = [
    "COMMAND_REQUEST_MODELS",
    "CancelReservation",
    "CommandResponse",
    "CommandResponseType",
    "CommandResult",
    "CommandResultType",
    "CommandType",
    "ReserveNow",
    "StartSession",
    "StopSession",
    "UnlockConnector",
]


class CommandType(OcpiEnum):
    """*CommandType* enum: the command requested."""

    CANCEL_RESERVATION = "CANCEL_RESERVATION"
    RESERVE_NOW = "RESERVE_NOW"
    START_SESSION = "START_SESSION"
    STOP_SESSION = "STOP_SESSION"
    UNLOCK_CONNECTOR = "UNLOCK_CONNECTOR"


class CommandResponseType(OcpiEnum):
    """*CommandResponseType* enum: the CPO's immediate answer."""

    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    ACCEPTED = "ACCEPTED"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"


class CommandResultType(OcpiEnum):
    """*CommandResultType* enum: the Charge Point's result."""

    ACCEPTED = "ACCEPTED"
    CANCELED_RESERVATION = "CANCELED_RESERVATION"
    EVSE_OCCUPIED = "EVSE_OCCUPIED"
    EVSE_INOPERATIVE = "EVSE_INOPERATIVE"
    FAILED = "FAILED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    TIMEOUT = "TIMEOUT"
    UNKNOWN_RESERVATION = "UNKNOWN_RESERVATION"


class CommandResponse(OcpiModel):
    """*CommandResponse* object: sent in the HTTP response to a command."""

    result: CommandResponseType
    """The CPO's verdict on the command."""
    timeout: Int
    """Seconds after which the eMSP may give up waiting for the result."""
    message: list[DisplayText] | None = None
    """Explanation for people, possibly in several languages."""


class CommandResult(OcpiModel):
    """*CommandResult* object: POSTed to the command's `response_url`."""

    result: CommandResultType
    """What the Charge Point answered."""
    message: list[DisplayText] | None = None
    """Explanation for people, possibly in several languages."""


class CancelReservation(OcpiModel):
    """*CancelReservation* object."""

    response_url: URL
    """Where the CommandResult is to be POSTed."""
    reservation_id: CiString36
    """The reservation to cancel, as given in ReserveNow."""


class ReserveNow(OcpiModel):
    """*ReserveNow* object."""

    response_url: URL
    """Where the CommandResult is to be POSTed."""
    token: Token
    """Token for which to reserve, already authorized by the eMSP."""
    expiry_date: DateTime
    """End of the reservation."""
    reservation_id: CiString36
    """Reservation id; an existing one for the Location is replaced."""
    location_id: CiString36
    """Location.id of the Location to reserve an EVSE at."""
    evse_uid: CiString36 | None = None
    """EVSE.uid, if a specific EVSE is to be reserved."""
    authorization_reference: CiString36 | None = None
    """Reference to the eMSP's authorization, for the Session and CDR."""


class StartSession(OcpiModel):
    """*StartSession* object."""

    response_url: URL
    """Where the CommandResult is to be POSTed."""
    token: Token
    """Token to start the session with, already authorized by the eMSP."""
    location_id: CiString36
    """Location.id of the Location to start a session at."""
    evse_uid: CiString36 | None = None
    """EVSE.uid of the EVSE; required when `connector_id` is set."""
    connector_id: CiString36 | None = None
    """Connector.id; required if the EVSE has START_SESSION_CONNECTOR_REQUIRED."""
    authorization_reference: CiString36 | None = None
    """Reference to the eMSP's authorization, for the Session and CDR."""

    @model_validator(mode="after")
    def _connector_needs_evse(self) -> Self:
        # StartSession, evse_uid: mandatory as soon as connector_id is given.
        if self.connector_id is not None and self.evse_uid is None:
            raise ValueError("evse_uid is required when connector_id is set")
        return self


class StopSession(OcpiModel):
    """*StopSession* object."""

    response_url: URL
    """Where the CommandResult is to be POSTed."""
    session_id: CiString36
    """Session.id of the Session to stop."""


class UnlockConnector(OcpiModel):
    """*UnlockConnector* object."""

    response_url: URL
    """Where the CommandResult is to be POSTed."""
    location_id: CiString36
    """Location.id of the Location of the connector."""
    evse_uid: CiString36
    """EVSE.uid of the connector's EVSE."""
    connector_id: CiString36
    """Connector.id of the Connector to unlock."""


#: The request body model of each command.
COMMAND_REQUEST_MODELS: Mapping[CommandType, type[OcpiModel]] = MappingProxyType(
    {
        CommandType.CANCEL_RESERVATION: CancelReservation,
        CommandType.RESERVE_NOW: ReserveNow,
        CommandType.START_SESSION: StartSession,
        CommandType.STOP_SESSION: StopSession,
        CommandType.UNLOCK_CONNECTOR: UnlockConnector,
    }
)
