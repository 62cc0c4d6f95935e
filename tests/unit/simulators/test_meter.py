"""The meter model: physics that a CSMS can trust (energy never runs backwards)."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from simulators.chargepoint.meter import (
    ChargeState,
    ChargingLimit,
    EnergyMeter,
    SupplyRating,
    Vehicle,
)

RATING = SupplyRating()


def _vehicle(
    soc: float = 50.0, phases: int = 3, amps: float = 32.0, target: float = 100.0
) -> Vehicle:
    return Vehicle(
        capacity_wh=60_000.0, soc_start=soc, phases=phases, max_current_a=amps, target_soc=target
    )


def _charging(vehicle: Vehicle, register: float = 1000.0) -> EnergyMeter:
    meter = EnergyMeter(RATING, random.Random(1), register_wh=register)
    meter.plug(vehicle, 0.0)
    meter.energize(True, 0.0)
    return meter


limits = st.one_of(
    st.just(ChargingLimit()),
    st.builds(ChargingLimit, watts=st.floats(0, 50_000)),
    st.builds(ChargingLimit, amps=st.floats(0, 64)),
    st.builds(ChargingLimit, watts=st.floats(0, 50_000), amps=st.floats(0, 64)),
)
operations = st.lists(
    st.tuples(
        st.sampled_from(["advance", "limit", "plug", "unplug", "energize", "deenergize"]),
        st.floats(0, 7200),
        limits,
    ),
    max_size=40,
)
vehicles = st.builds(
    Vehicle,
    capacity_wh=st.floats(10_000, 120_000),
    soc_start=st.floats(0, 100),
    phases=st.sampled_from([1, 3]),
    max_current_a=st.floats(6, 63),
    target_soc=st.floats(50, 100),
)


@given(ops=operations, vehicle=vehicles, seed=st.integers(0, 2**32))
def test_energy_never_decreases_and_soc_stays_in_bounds(
    ops: list[tuple[str, float, ChargingLimit]], vehicle: Vehicle, seed: int
) -> None:
    meter = EnergyMeter(RATING, random.Random(seed), register_wh=5000.0)
    now, last_energy = 0.0, 5000.0
    for op, step, limit in ops:
        now += step
        if op == "advance":
            meter.advance(now)
        elif op == "limit":
            meter.set_limit(limit, now)
        elif op == "plug":
            meter.plug(vehicle, now)
        elif op == "unplug":
            meter.unplug(now)
        else:
            meter.energize(op == "energize", now)
        reading = meter.read(now)
        assert reading.energy_wh >= last_energy
        last_energy = reading.energy_wh
        if reading.soc is not None:
            assert 0.0 <= reading.soc <= 100.0
        _check_limits(meter, reading.power_w, reading.current_a)


def _check_limits(meter: EnergyMeter, power: float, currents: tuple[float, float, float]) -> None:
    assert power >= 0.0
    assert max(currents) <= RATING.max_current_a
    if meter.limit.watts is not None:
        assert power <= meter.limit.watts + 1e-6
    if meter.limit.amps is not None:
        assert max(currents) <= meter.limit.amps + 1e-9
    if meter.state is not ChargeState.CHARGING:
        assert power == 0.0


@given(hours=st.floats(0.01, 24))
def test_energy_delivered_is_power_times_time_until_the_battery_is_full(hours: float) -> None:
    vehicle = _vehicle(soc=10.0, phases=1, amps=16.0)
    meter = _charging(vehicle)
    power = meter.read(0.0).power_w
    meter.advance(hours * 3600)
    delivered = meter.register_wh - 1000.0
    room = (vehicle.target_soc - vehicle.soc_start) / 100 * vehicle.capacity_wh
    # Below 80 % the power is constant; the taper only ever delivers less.
    assert delivered <= min(power * hours, room) + 1e-6
    assert delivered > 0


def test_a_limit_below_six_amps_suspends_the_evse() -> None:
    meter = _charging(_vehicle())
    meter.set_limit(ChargingLimit(amps=5.0), 1.0)
    assert meter.state is ChargeState.SUSPENDED_EVSE
    assert meter.read(1.0).power_w == 0.0
    meter.set_limit(ChargingLimit(amps=10.0), 2.0)
    assert meter.state is ChargeState.CHARGING
    assert meter.read(2.0).current_a == (10.0, 10.0, 10.0)


def test_a_watt_limit_caps_the_power_on_the_phases_in_use() -> None:
    meter = _charging(_vehicle(phases=1))
    meter.set_limit(ChargingLimit(watts=2300.0), 0.0)
    reading = meter.read(0.0)
    assert reading.power_w <= 2300.0
    assert reading.current_a[1:] == (0.0, 0.0)
    assert reading.current_a[0] > 9.0


def test_a_full_battery_stops_drawing() -> None:
    meter = _charging(_vehicle(soc=79.9, target=80.0))
    meter.advance(3600.0)
    assert meter.soc == 80.0
    assert meter.state is ChargeState.SUSPENDED_EV
    assert meter.read(3600.0).power_w == 0.0


def test_current_tapers_above_eighty_percent() -> None:
    low = _charging(_vehicle(soc=50.0)).read(0.0).current_a[0]
    high = _charging(_vehicle(soc=95.0)).read(0.0).current_a[0]
    assert high < low
    assert high >= RATING.min_current_a


def test_no_energy_before_the_transaction_energizes_the_outlet() -> None:
    meter = EnergyMeter(RATING, random.Random(1), register_wh=10.0)
    meter.plug(_vehicle(), 0.0)
    meter.advance(3600.0)
    assert meter.register_wh == 10.0
    assert meter.state is ChargeState.IDLE


def test_random_vehicles_are_plausible() -> None:
    rng = random.Random(3)
    for _ in range(50):
        vehicle = Vehicle.random(rng)
        assert vehicle.phases in (1, 3)
        assert 10 <= vehicle.soc_start <= 60 < vehicle.target_soc
