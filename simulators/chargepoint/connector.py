"""The status of one connector, as a literal transition table.

Written after h11's `_state.py`: the whole behaviour is the table below, and
`ConnectorStateMachine` only looks things up in it. The states are the OCPP 1.6 charge point
statuses (section 4.9 of OCPP 1.6), the richer of the two vocabularies; OCPP 2.0.1 reports
only five connector statuses, so `to_v201_status` folds the transaction phases into
`Occupied` and the 2.0.1 dialect reports the rest as the transaction's `chargingState`.

The table mirrors the 1.6 transition diagram (Table 22 in OCPP 1.6 section 4.9): each entry is
named by its source and target letters there, e.g. ``C1`` for Charging → Available.
"""

from __future__ import annotations

import enum
from types import MappingProxyType
from typing import Final

from .errors import InvalidTransitionError

__all__ = [
    "TRANSITIONS",
    "ConnectorEvent",
    "ConnectorState",
    "ConnectorStateMachine",
    "to_v201_status",
]


class ConnectorState(enum.Enum):
    """A connector's status; values are the OCPP 1.6 `ChargePointStatus` spellings."""

    AVAILABLE = "Available"
    PREPARING = "Preparing"
    CHARGING = "Charging"
    SUSPENDED_EV = "SuspendedEV"
    SUSPENDED_EVSE = "SuspendedEVSE"
    FINISHING = "Finishing"
    RESERVED = "Reserved"
    UNAVAILABLE = "Unavailable"
    FAULTED = "Faulted"


class ConnectorEvent(enum.Enum):
    """Something that happens at a connector."""

    PLUG_IN = "plug_in"  # EV connected (or a remote start made the user present)
    ENERGY_FLOWING = "energy_flowing"  # transaction running, EV draws power
    SUSPEND_EV = "suspend_ev"  # EV stops drawing (battery full, EV decides)
    SUSPEND_EVSE = "suspend_evse"  # EVSE offers no energy (limit below minimum)
    STOP = "stop"  # transaction ended, cable still plugged
    UNPLUG = "unplug"  # EV disconnected, or the preparing phase timed out
    RESERVE = "reserve"
    RESERVATION_ENDED = "reservation_ended"  # expired, cancelled or used elsewhere
    DISABLE = "disable"  # ChangeAvailability Inoperative took effect
    ENABLE = "enable"  # ChangeAvailability Operative took effect
    FAULT = "fault"
    FAULT_CLEARED = "fault_cleared"


_S = ConnectorState
_E = ConnectorEvent

# state -> {event -> next state}. Anything not listed is an invalid transition.
TRANSITIONS: Final = MappingProxyType(
    {
        _S.AVAILABLE: {
            _E.PLUG_IN: _S.PREPARING,  # A2
            _E.RESERVE: _S.RESERVED,  # A7
            _E.DISABLE: _S.UNAVAILABLE,  # A8
            _E.FAULT: _S.FAULTED,  # A9
        },
        _S.PREPARING: {
            _E.UNPLUG: _S.AVAILABLE,  # B1
            _E.ENERGY_FLOWING: _S.CHARGING,  # B3
            _E.SUSPEND_EV: _S.SUSPENDED_EV,  # B4
            _E.SUSPEND_EVSE: _S.SUSPENDED_EVSE,  # B5
            _E.STOP: _S.FINISHING,  # B6
            _E.FAULT: _S.FAULTED,  # B9
        },
        _S.CHARGING: {
            _E.UNPLUG: _S.AVAILABLE,  # C1
            _E.SUSPEND_EV: _S.SUSPENDED_EV,  # C4
            _E.SUSPEND_EVSE: _S.SUSPENDED_EVSE,  # C5
            _E.STOP: _S.FINISHING,  # C6
            _E.DISABLE: _S.UNAVAILABLE,  # C8
            _E.FAULT: _S.FAULTED,  # C9
        },
        _S.SUSPENDED_EV: {
            _E.UNPLUG: _S.AVAILABLE,  # D1
            _E.ENERGY_FLOWING: _S.CHARGING,  # D3
            _E.SUSPEND_EVSE: _S.SUSPENDED_EVSE,  # D5
            _E.STOP: _S.FINISHING,  # D6
            _E.DISABLE: _S.UNAVAILABLE,  # D8
            _E.FAULT: _S.FAULTED,  # D9
        },
        _S.SUSPENDED_EVSE: {
            _E.UNPLUG: _S.AVAILABLE,  # E1
            _E.ENERGY_FLOWING: _S.CHARGING,  # E3
            _E.SUSPEND_EV: _S.SUSPENDED_EV,  # E4
            _E.STOP: _S.FINISHING,  # E6
            _E.DISABLE: _S.UNAVAILABLE,  # E8
            _E.FAULT: _S.FAULTED,  # E9
        },
        _S.FINISHING: {
            _E.UNPLUG: _S.AVAILABLE,  # F1
            _E.PLUG_IN: _S.PREPARING,  # F2: a new idTag presented before unplugging
            _E.DISABLE: _S.UNAVAILABLE,  # F8
            _E.FAULT: _S.FAULTED,  # F9
        },
        _S.RESERVED: {
            _E.RESERVATION_ENDED: _S.AVAILABLE,  # G1
            _E.PLUG_IN: _S.PREPARING,  # G2: the reserving idTag arrives
            _E.DISABLE: _S.UNAVAILABLE,  # G8
            _E.FAULT: _S.FAULTED,  # G9
        },
        _S.UNAVAILABLE: {
            _E.ENABLE: _S.AVAILABLE,  # H1
            _E.FAULT: _S.FAULTED,  # H9
        },
        _S.FAULTED: {
            _E.FAULT_CLEARED: _S.AVAILABLE,  # I1
            _E.DISABLE: _S.UNAVAILABLE,  # I8
        },
    }
)

# The OCPP 2.0.1 ConnectorStatusEnumType value for each state (2.0.1 part 2, Q01 / G01).
_V201_STATUS: Final = MappingProxyType(
    {
        _S.AVAILABLE: "Available",
        _S.PREPARING: "Occupied",
        _S.CHARGING: "Occupied",
        _S.SUSPENDED_EV: "Occupied",
        _S.SUSPENDED_EVSE: "Occupied",
        _S.FINISHING: "Occupied",
        _S.RESERVED: "Reserved",
        _S.UNAVAILABLE: "Unavailable",
        _S.FAULTED: "Faulted",
    }
)

# States in which an EV is plugged in and a session may be in progress.
OCCUPIED_STATES: Final = frozenset(
    {_S.PREPARING, _S.CHARGING, _S.SUSPENDED_EV, _S.SUSPENDED_EVSE, _S.FINISHING}
)


def to_v201_status(state: ConnectorState) -> str:
    """The OCPP 2.0.1 `ConnectorStatusEnumType` spelling of `state`."""
    return _V201_STATUS[state]


class ConnectorStateMachine:
    """The current status of one connector, changed only through `process`."""

    __slots__ = ("_state",)

    def __init__(self, state: ConnectorState = ConnectorState.AVAILABLE) -> None:
        self._state = state

    @property
    def state(self) -> ConnectorState:
        """The status the connector is in now."""
        return self._state

    @property
    def occupied(self) -> bool:
        """Whether an EV is plugged in (any of the session phases)."""
        return self._state in OCCUPIED_STATES

    def allows(self, event: ConnectorEvent) -> bool:
        """Whether `event` is a valid transition from the current status."""
        return event in TRANSITIONS[self._state]

    def process(self, event: ConnectorEvent) -> ConnectorState:
        """Apply `event` and return the new status.

        Raises:
            InvalidTransitionError: the table lists no such transition; the status is unchanged.
        """
        try:
            target = TRANSITIONS[self._state][event]
        except KeyError:
            raise InvalidTransitionError(
                f"connector in state {self._state.value} cannot handle {event.value}"
            ) from None
        self._state = target
        return target

    def reset(self, state: ConnectorState) -> None:
        """Force a status, as a reboot does (availability survives, sessions do not)."""
        self._state = state
