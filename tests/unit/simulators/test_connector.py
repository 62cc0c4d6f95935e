"""The connector status table: every listed transition works, nothing else does."""

from __future__ import annotations

import itertools

import pytest

from simulators.chargepoint.connector import (
    TRANSITIONS,
    ConnectorEvent,
    ConnectorState,
    ConnectorStateMachine,
    to_v201_status,
)
from simulators.chargepoint.errors import InvalidTransitionError

S, E = ConnectorState, ConnectorEvent
LISTED = [(s, e, t) for s, row in TRANSITIONS.items() for e, t in row.items()]
UNLISTED = [(s, e) for s, e in itertools.product(S, E) if e not in TRANSITIONS[s]]


def test_every_state_has_a_row() -> None:
    assert set(TRANSITIONS) == set(S)


@pytest.mark.parametrize(("state", "event", "target"), LISTED)
def test_listed_transitions_lead_where_the_table_says(
    state: ConnectorState, event: ConnectorEvent, target: ConnectorState
) -> None:
    machine = ConnectorStateMachine(state)
    assert machine.allows(event)
    assert machine.process(event) is target
    assert machine.state is target


@pytest.mark.parametrize(("state", "event"), UNLISTED)
def test_unlisted_transitions_are_refused_and_change_nothing(
    state: ConnectorState, event: ConnectorEvent
) -> None:
    machine = ConnectorStateMachine(state)
    assert not machine.allows(event)
    with pytest.raises(InvalidTransitionError):
        machine.process(event)
    assert machine.state is state


def _reachable(start: ConnectorState) -> set[ConnectorState]:
    seen, todo = {start}, [start]
    while todo:
        for target in TRANSITIONS[todo.pop()].values():
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.mark.parametrize("state", list(S))
def test_no_dead_ends_every_status_can_get_back_to_available(state: ConnectorState) -> None:
    assert S.AVAILABLE in _reachable(state)


def test_every_status_is_reachable_from_available() -> None:
    assert _reachable(S.AVAILABLE) == set(S)


def test_a_plain_session_walks_the_1_6_diagram() -> None:
    machine = ConnectorStateMachine()
    walk = [E.PLUG_IN, E.ENERGY_FLOWING, E.SUSPEND_EV, E.ENERGY_FLOWING, E.STOP, E.UNPLUG]
    states = [machine.process(event).value for event in walk]
    assert states == ["Preparing", "Charging", "SuspendedEV", "Charging", "Finishing", "Available"]


def test_v201_folds_session_phases_into_occupied() -> None:
    assert {to_v201_status(s) for s in S} == {
        "Available",
        "Occupied",
        "Reserved",
        "Unavailable",
        "Faulted",
    }
    assert to_v201_status(S.SUSPENDED_EVSE) == "Occupied"
    assert ConnectorStateMachine(S.FINISHING).occupied
    assert not ConnectorStateMachine(S.RESERVED).occupied
