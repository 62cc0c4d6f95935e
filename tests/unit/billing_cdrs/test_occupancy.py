"""Occupancy and faults from connector status rows, against brute-force minute counts."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.billing.occupancy import StatusFacts, occupied_intervals, status_faults

T0 = datetime(2025, 4, 1, tzinfo=UTC)
M = timedelta(minutes=1)
_ids = itertools.count(1)


def row(
    minute: int, word: str, *, evse: int = 1, connector: int = 1, error: str | None = None
) -> StatusFacts:
    return StatusFacts(next(_ids), "CP", evse, connector, "L", T0 + minute * M, word, error)


def spans(statuses: list[StatusFacts], until: int) -> list[tuple[int, int, int]]:
    return [
        (i.evse_id, (i.start - T0) // M, (i.end - T0) // M)
        for i in occupied_intervals(statuses, T0 + until * M)
    ]


def test_an_evse_is_occupied_while_any_of_its_connectors_is() -> None:
    statuses = [
        row(0, "Occupied", connector=1),
        row(10, "Occupied", connector=2),  # the second cable of the same EVSE
        row(20, "Available", connector=1),
        row(30, "Available", connector=2),
        row(40, "Occupied", connector=1),
        row(5, "Occupied", evse=2),
        row(15, "Unavailable", evse=2),
    ]
    assert spans(statuses, until=50) == [(1, 0, 30), (1, 40, 50), (2, 5, 15)]


def test_the_last_status_holds_until_now_and_evse_zero_has_no_occupancy() -> None:
    statuses = [row(0, "Occupied", evse=0, connector=0), row(10, "Occupied")]
    assert spans(statuses, until=25) == [(1, 10, 25)]
    assert spans(statuses, until=5) == []  # "now" before the status: nothing yet


def test_two_statuses_of_one_instant_follow_their_order_of_arrival() -> None:
    statuses = [row(10, "Occupied"), row(10, "Available"), row(20, "Occupied")]
    assert spans(statuses, until=30) == [(1, 20, 30)]


def test_faults_are_transitions_into_faulted() -> None:
    statuses = [
        row(-30, "Faulted", error="Old"),  # before the window, and still Faulted at its start
        row(5, "Faulted", error="Old"),  # the same fault repeated: not a new one
        row(10, "Available"),
        row(20, "Faulted", error="GroundFailure"),  # a new fault …
        row(25, "Available"),  # … cleared …
        row(30, "Faulted", error="GroundFailure"),  # … and back: another one
        row(35, "Faulted", evse=0, connector=0, error="PowerMeterFailure"),  # the whole charger
        row(70, "Faulted", evse=2),  # after the window
    ]
    found = status_faults(statuses, T0, T0 + 60 * M)
    assert [((f.at - T0) // M, f.evse_id, f.error_code) for f in found] == [
        (20, 1, "GroundFailure"),
        (30, 1, "GroundFailure"),
        (35, 0, "PowerMeterFailure"),
    ]


_WORDS = st.sampled_from(["Available", "Occupied", "Faulted", "Reserved", "Unavailable"])
_PLAN = st.lists(
    st.tuples(st.integers(0, 2), st.integers(1, 2), st.integers(0, 120), _WORDS), max_size=30
)


@settings(max_examples=100, deadline=None)
@given(plan=_PLAN, until=st.integers(0, 150))
def test_occupied_minutes_match_a_minute_by_minute_count(
    plan: list[tuple[int, int, int, str]], until: int
) -> None:
    statuses = [row(minute, word, evse=evse, connector=c) for evse, c, minute, word in plan]
    counted: dict[int, int] = {}
    for minute in range(until):
        for evse in (1, 2):  # EVSE 0 never counts
            occupied = False
            for connector in (1, 2):
                said = [s for s in statuses if (s.evse_id, s.connector_id) == (evse, connector)]
                before = [s for s in said if (s.at - T0) // M <= minute]
                last = max(before, key=lambda s: (s.at, s.id), default=None)
                occupied |= last is not None and last.status == "Occupied"
            counted[evse] = counted.get(evse, 0) + occupied
    measured: dict[int, int] = {}
    for evse, start, end in spans(statuses, until):
        measured[evse] = measured.get(evse, 0) + end - start
    assert {e: n for e, n in measured.items() if n} == {e: n for e, n in counted.items() if n}
