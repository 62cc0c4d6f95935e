"""Stored readings and charging states → the engine's usage samples."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.billing import UsageState, price_session
from shared.billing.running import RunningSession
from shared.billing.usage_from_store import (
    CURRENT,
    ENERGY_REGISTER,
    POWER,
    MeterReading,
    OutOfOrderError,
    StateChange,
    UsageBuilder,
    build_usage,
    usage_state_of,
)
from tests.unit.billing.spec_tariffs import TARIFF_10, TARIFF_13

T0 = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
_ids = itertools.count(1)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def reading(minutes: float, measurand: str, value: float, **extra: str | None) -> MeterReading:
    return MeterReading(
        id=next(_ids), timestamp=at(minutes), measurand=measurand, value=value, **extra
    )


def energy(minutes: float, wh: float, **extra: str | None) -> MeterReading:
    return reading(minutes, ENERGY_REGISTER, wh, **extra)


def power(minutes: float, watts: float, **extra: str | None) -> MeterReading:
    return reading(minutes, POWER, watts, **extra)


def states(builder: UsageBuilder) -> list[tuple[float, Decimal, UsageState]]:
    return [
        ((s.timestamp - T0).total_seconds() / 60, s.energy_wh, s.state) for s in builder.samples
    ]


def test_the_first_sample_is_at_the_start_with_the_meter_start() -> None:
    builder = UsageBuilder(T0, Decimal(1000))
    builder.add([energy(5, 1500, unit="Wh")])
    assert states(builder) == [
        (0, Decimal(1000), UsageState.CHARGING),
        (5, Decimal(1500), UsageState.CHARGING),
    ]


def test_without_a_meter_start_the_last_reading_before_the_start_is_used() -> None:
    builder = UsageBuilder(T0)
    assert builder.add([]) == []  # nothing known yet: no sample
    first = builder.add([energy(-2, 400), energy(-1, 500)])
    assert [(s.timestamp, s.energy_wh) for s in first] == [(T0, Decimal(500))]
    builder.add([energy(10, 2500)])
    assert [s[:2] for s in states(builder)] == [(0, Decimal(500)), (10, Decimal(2500))]


def test_without_any_earlier_reading_the_first_reading_is_the_start() -> None:
    builder = UsageBuilder(T0)
    builder.add([energy(3, 7000), energy(6, 7600)])
    assert [s[:2] for s in states(builder)] == [
        (0, Decimal(7000)),
        (3, Decimal(7000)),
        (6, Decimal(7600)),
    ]


def test_units_phases_and_locations() -> None:
    builder = UsageBuilder(T0, Decimal(0))
    builder.add(
        [
            energy(1, 1.5, unit="kWh"),
            power(1, 3.0, unit="kW", phase="L1"),
            power(1, 3.5, unit="kW", phase="L2"),
            power(1, 4.0, unit="kW", phase="L3"),
            reading(1, CURRENT, 16, phase="L1"),
            reading(1, CURRENT, 16, phase="L2"),
            reading(1, CURRENT, 16, phase="L3"),
            reading(1, CURRENT, 2, phase="N"),  # the neutral is no phase of its own
            reading(1, CURRENT, 99, location="EV"),  # measured in the car: left out
            energy(1, 9999, location="Inlet"),  # the outlet's register wins
            energy(1, 1.5, unit="kWh", location="Outlet"),
        ]
    )
    sample = builder.samples[-1]
    assert sample.energy_wh == Decimal(1500)
    assert sample.power_w == Decimal(10500)
    assert sample.current_a == Decimal(48)


def test_power_decides_charging_or_parked() -> None:
    builder = UsageBuilder(T0, Decimal(0))
    builder.add(
        [
            energy(1, 100),
            power(1, 6000),
            energy(2, 200),
            power(2, 99),
            energy(3, 200),
            power(3, 100),
        ]
    )
    assert [s[2] for s in states(builder)] == [
        UsageState.CHARGING,
        UsageState.CHARGING,
        UsageState.PARKED,
        UsageState.CHARGING,
    ]


def test_no_power_at_the_start_is_still_charging() -> None:
    builder = UsageBuilder(T0, Decimal(0))
    builder.add([power(0, 0), energy(1, 100), power(1, 6000)])
    assert [s[2] for s in states(builder)] == [UsageState.CHARGING, UsageState.CHARGING]
    told = UsageBuilder(T0, Decimal(0))
    told.add([power(0, 0)], [StateChange(T0, UsageState.PARKED)])  # unless the charger says
    assert [s[2] for s in states(told)] == [UsageState.PARKED]


def test_without_power_the_energy_flow_decides() -> None:
    builder = UsageBuilder(T0, Decimal(0))
    # 1 Wh in a minute is 60 W (parked); 100 Wh in a minute is 6 kW (charging).
    builder.add([energy(1, 100), energy(2, 101), energy(3, 201), reading(4, CURRENT, 0)])
    assert [s[2] for s in states(builder)] == [
        UsageState.CHARGING,
        UsageState.CHARGING,
        UsageState.PARKED,
        UsageState.CHARGING,
        UsageState.CHARGING,  # no energy reading at 4: the state before holds
    ]


def test_what_the_charger_says_wins_and_holds() -> None:
    builder = UsageBuilder(T0, Decimal(0))
    builder.add(
        [energy(1, 100), power(1, 0), energy(3, 100), power(3, 11000)],
        [StateChange(at(1), UsageState.CHARGING), StateChange(at(2), UsageState.PARKED)],
    )
    # 1: power 0 but the charger says Charging (e.g. SuspendedEVSE); 2: a state change of its
    # own; 3: power again, but the charger said it is parked, so it is.
    assert [(s[0], s[2]) for s in states(builder)] == [
        (0, UsageState.CHARGING),
        (1, UsageState.CHARGING),
        (2, UsageState.PARKED),
        (3, UsageState.PARKED),
    ]


def test_a_register_that_runs_backwards_is_ignored() -> None:
    builder = UsageBuilder(T0, Decimal(1000))
    builder.add([energy(1, 1200), energy(2, 50), energy(3, 1300)])
    assert [s[1] for s in states(builder)] == [
        Decimal(1000),
        Decimal(1200),
        Decimal(1200),
        Decimal(1300),
    ]


def test_rows_for_an_instant_already_sampled_need_a_rebuild() -> None:
    builder = UsageBuilder(T0, Decimal(0))
    builder.add([energy(5, 100)])
    with pytest.raises(OutOfOrderError):
        builder.add([energy(4, 50)])
    with pytest.raises(OutOfOrderError):
        builder.add([power(5, 7000)])


def test_build_usage_leaves_out_readings_after_the_end_and_ends_on_the_meter_stop() -> None:
    usage = build_usage(
        started_at=T0,
        ended_at=at(30),
        time_zone="Europe/Berlin",
        readings=[energy(10, 1000), energy(40, 9999)],
        meter_start_wh=Decimal(0),
        meter_stop_wh=Decimal(2000),
    )
    assert [(s.timestamp, s.energy_wh) for s in usage.samples] == [
        (T0, Decimal(0)),
        (at(10), Decimal(1000)),
        (at(30), Decimal(2000)),
    ]
    assert usage.end == at(30)


def test_an_empty_session_still_has_its_start() -> None:
    usage = build_usage(started_at=T0, ended_at=at(1), time_zone="UTC", readings=[])
    assert [(s.timestamp, s.energy_wh) for s in usage.samples] == [(T0, Decimal(0))]


def test_states_of_ocpp_words() -> None:
    assert usage_state_of("SuspendedEVSE") is UsageState.CHARGING
    assert usage_state_of("SuspendedEV") is UsageState.PARKED
    assert usage_state_of("Finishing") is UsageState.PARKED
    assert usage_state_of("Faulted") is None
    assert usage_state_of(None) is None


def test_a_running_session_follows_events_and_statuses_each_with_its_own_cursor() -> None:
    running = RunningSession(
        1, "CP", "1", started_at=T0, meter_start_wh=Decimal(0), tariff=TARIFF_10, time_zone="UTC"
    )
    # Row ids of transaction events and of the status history are counted apart: status row
    # 1 is not "seen" because event row 1 was.
    event = (1, StateChange(at(2), UsageState.CHARGING))
    status_row = (1, StateChange(at(4), UsageState.PARKED))
    assert running.feed([energy(1, 100), power(1, 7000)], [event], [status_row]) == 4
    assert (running.last_event_id, running.last_status_id) == (1, 1)
    assert running.feed([], [event], [status_row]) == 0  # nothing new: nothing twice
    later = (7, StateChange(at(6), UsageState.CHARGING))
    assert running.feed([energy(6, 300)], [], [status_row, later]) == 1
    assert running.last_status_id == 7
    builder_states = [(s.timestamp, s.state) for s in running.samples]
    assert builder_states == [
        (T0, UsageState.CHARGING),
        (at(1), UsageState.CHARGING),
        (at(2), UsageState.CHARGING),
        (at(4), UsageState.PARKED),
        (at(6), UsageState.CHARGING),
    ]
    rebuilt = running.rebuilt(
        [energy(1, 100), energy(6, 300)], [event], [status_row, later],
        started_at=T0, meter_start_wh=Decimal(0),
    )  # fmt: skip
    assert [(s.timestamp, s.state) for s in rebuilt.samples] == builder_states
    assert (rebuilt.last_event_id, rebuilt.last_status_id) == (1, 7)


# --- the running cost and the CDR agree --------------------------------------------------

_rows = st.lists(
    st.tuples(st.integers(1, 20), st.integers(0, 400), st.sampled_from([None, 0, 50, 7000])),
    min_size=1,
    max_size=25,
)


def _readings(steps: list[tuple[int, int, int | None]]) -> list[MeterReading]:
    rows, minute, wh = [], 0, 1000
    for gap, added, watts in steps:
        minute += gap
        wh += added
        rows.append(energy(minute, wh))
        if watts is not None:
            rows.append(power(minute, watts))
    return rows


@settings(max_examples=60, deadline=None)
@given(steps=_rows, cuts=st.lists(st.integers(0, 60), max_size=5))
def test_running_cost_fed_in_pieces_equals_the_cdr_price(
    steps: list[tuple[int, int, int | None]], cuts: list[int]
) -> None:
    rows = _readings(steps)
    end = rows[-1].timestamp + timedelta(minutes=3)
    for tariff in (TARIFF_10, TARIFF_13):
        running = RunningSession(
            1,
            "CP",
            "1",
            started_at=T0,
            meter_start_wh=Decimal(1000),
            tariff=tariff,
            time_zone="Europe/Amsterdam",
        )
        bounds = sorted({min(c, len(rows)) for c in cuts} | {0, len(rows)})
        for low, high in itertools.pairwise(bounds):
            try:
                running.feed(rows[low:high], [])
            except OutOfOrderError:  # a piece cut between two readings of one instant
                running = running.rebuilt(
                    rows[:high], [], started_at=T0, meter_start_wh=Decimal(1000)
                )
        cost = running.cost(end)
        assert cost is not None
        usage = build_usage(
            started_at=T0,
            ended_at=end,
            time_zone="Europe/Amsterdam",
            readings=rows,
            meter_start_wh=Decimal(1000),
        )
        assert cost.exact == price_session(tariff, usage).total_cost
