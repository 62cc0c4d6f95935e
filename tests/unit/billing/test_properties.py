"""Properties of the tariff engine over generated tariffs and sessions."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.billing import (
    Price,
    PricedSession,
    Restrictions,
    SessionPricer,
    Tariff,
    TariffDimension,
    UsageState,
    price_session,
    running_cost,
)
from tests.unit.billing.strategies import ZONES, Stretch, starts, stretches, tariffs, usage_of

SETTINGS = settings(max_examples=150, deadline=None)
TINY = Decimal("1e-18")
zones = st.sampled_from(ZONES)
ENERGY, FLAT, TIME, PARKING = (
    TariffDimension.ENERGY,
    TariffDimension.FLAT,
    TariffDimension.TIME,
    TariffDimension.PARKING_TIME,
)


def close(a: Price, b: Price) -> bool:
    assert a.incl_vat is not None
    assert b.incl_vat is not None
    return abs(a.excl_vat - b.excl_vat) < TINY and abs(a.incl_vat - b.incl_vat) < TINY


def not_lower(later: Price, earlier: Price) -> bool:
    assert later.incl_vat is not None
    assert earlier.incl_vat is not None
    return later.excl_vat >= earlier.excl_vat - TINY and later.incl_vat >= earlier.incl_vat - TINY


# --- an independent reference: price the session minute by minute --------------------------


def _window(r: Restrictions, minute_of_day: int) -> bool:
    if r.start_time is None and r.end_time is None:
        return True
    low = 0 if r.start_time is None else r.start_time.hour * 60 + r.start_time.minute
    high = 1440 if r.end_time is None else r.end_time.hour * 60 + r.end_time.minute
    high = high or 1440
    if low < high:
        return low <= minute_of_day < high
    return minute_of_day >= low or minute_of_day < high if low > high else True


def _inside(value: Decimal | None, low: Decimal | int | None, high: Decimal | int | None) -> bool:
    if low is None and high is None:
        return True
    return value is not None and (low is None or value >= low) and (high is None or value < high)


def _applies(r: Restrictions | None, wall: datetime, elapsed: int, leg: Stretch) -> bool:
    if r is None:
        return True
    power = (
        Decimal(leg.power_w) / 1000
        if leg.power_w is not None
        else Decimal(leg.wh_per_minute * 60) / 1000
    )
    current = None if leg.current_a is None else Decimal(leg.current_a)
    return (
        _window(r, wall.hour * 60 + wall.minute)
        and (not r.day_of_week or wall.date().isoweekday() in {d_index(d) for d in r.day_of_week})
        and (r.start_date is None or wall.date() >= r.start_date)
        and (r.end_date is None or wall.date() < r.end_date)
        and _inside(Decimal(elapsed), r.min_duration, r.max_duration)
        and _inside(power, r.min_power, r.max_power)
        and _inside(current, r.min_current, r.max_current)
    )


def d_index(day: object) -> int:
    return ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"].index(
        str(day)
    ) + 1


def reference_cost(tariff: Tariff, zone: str, start: datetime, legs: Sequence[Stretch]) -> Price:
    """Uncapped cost with every step_size taken as 1, summed minute by minute."""
    excl = incl = Decimal(0)
    flat_billed, elapsed = False, 0
    for leg in legs:
        billed = (
            (FLAT, ENERGY, TIME) if leg.state is UsageState.CHARGING else (FLAT, ENERGY, PARKING)
        )
        for _ in range(leg.minutes):
            wall = (start + timedelta(seconds=elapsed)).astimezone(ZoneInfo(zone))
            for dimension in billed:
                found = next(
                    (
                        c
                        for e in tariff.elements
                        for c in e.price_components
                        if c.type is dimension and _applies(e.restrictions, wall, elapsed, leg)
                    ),
                    None,
                )
                if found is None or (dimension is FLAT and flat_billed):
                    continue
                flat_billed = flat_billed or dimension is FLAT
                amount = {
                    FLAT: found.price,
                    ENERGY: found.price * leg.wh_per_minute / 1000,
                    TIME: found.price / 60,
                    PARKING: found.price / 60,
                }[dimension]
                excl += amount
                incl += amount if found.vat is None else amount * (100 + found.vat) / 100
            elapsed += 60
    return Price(excl, incl)


@SETTINGS
@given(tariffs(energy_restrictions=False, limits=False), zones, starts, stretches())
def test_matches_a_minute_by_minute_reference(
    tariff: Tariff, zone: str, start: datetime, legs: list[Stretch]
) -> None:
    priced = price_session(tariff, usage_of(zone, start, legs))
    assert close(priced.uncapped_cost, reference_cost(tariff, zone, start, legs))


# --- types and VAT -------------------------------------------------------------------------


def _walk(value: object) -> list[object]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [x for f in dataclasses.fields(value) for x in _walk(getattr(value, f.name))]
    if isinstance(value, tuple | list | frozenset):
        return [x for item in value for x in _walk(item)]
    return [value]


@SETTINGS
@given(tariffs(steps=st.integers(0, 3600)), zones, starts, stretches())
def test_decimal_in_decimal_out(
    tariff: Tariff, zone: str, start: datetime, legs: list[Stretch]
) -> None:
    priced = price_session(tariff, usage_of(zone, start, legs))
    leaves = _walk(priced)
    assert not [x for x in leaves if isinstance(x, float)]
    for cost in (priced.total_cost, priced.uncapped_cost, *(c.cost for c in priced.charges)):
        assert type(cost.excl_vat) is Decimal
        assert type(cost.incl_vat) is Decimal
    assert type(priced.total_energy_kwh) is Decimal
    assert type(priced.total_time_hours) is Decimal


@SETTINGS
@given(tariffs(steps=st.integers(0, 3600)), zones, starts, stretches())
def test_excl_vat_never_exceeds_incl_vat(
    tariff: Tariff, zone: str, start: datetime, legs: list[Stretch]
) -> None:
    priced = price_session(tariff, usage_of(zone, start, legs))
    prices = [
        priced.total_cost,
        priced.uncapped_cost,
        priced.total_energy_cost,
        priced.total_time_cost,
        priced.total_parking_cost,
        priced.total_fixed_cost,
        *(c.cost for c in priced.charges),
    ]
    for p in prices:
        assert p.incl_vat is not None
        assert p.excl_vat <= p.incl_vat


# --- splitting and running cost ------------------------------------------------------------


@SETTINGS
@given(
    tariffs(steps=st.integers(0, 3600)),
    zones,
    starts,
    stretches(),
    st.lists(st.integers(0, 10), max_size=4),
    st.integers(0, 30),
)
def test_pricing_in_parts_does_not_change_the_result(
    tariff: Tariff,
    zone: str,
    start: datetime,
    legs: list[Stretch],
    cuts: list[int],
    peek_minutes: int,
) -> None:
    """Feeding the samples in parts, asking the running cost in between (even past the
    last sample), gives exactly the result of pricing the whole session at once."""
    usage = usage_of(zone, start, legs)
    pricer = SessionPricer(tariff, zone)
    done = 0
    for cut in sorted(cuts):
        if cut <= done or cut > len(usage.samples):
            continue
        pricer.extend(usage.samples[done:cut])
        done = cut
        pricer.running_cost(usage.samples[cut - 1].timestamp + timedelta(minutes=peek_minutes))
    pricer.extend(usage.samples[done:])
    assert pricer.price(usage.end) == price_session(tariff, usage)


@SETTINGS
@given(tariffs(steps=st.integers(0, 3600)), zones, starts, stretches(), st.data())
def test_running_cost_is_the_price_of_a_session_ending_there(
    tariff: Tariff, zone: str, start: datetime, legs: list[Stretch], data: st.DataObject
) -> None:
    usage = usage_of(zone, start, legs)
    index = data.draw(st.integers(0, len(usage.samples) - 1))
    pricer = SessionPricer(tariff, zone)
    pricer.extend(usage.samples[: index + 1])
    at = usage.samples[index].timestamp
    assert pricer.running_cost(at) == running_cost(tariff, usage.up_to(index))
    assert pricer.price(at) == price_session(tariff, usage.up_to(index))


# --- monotonicity --------------------------------------------------------------------------


@SETTINGS
@given(tariffs(), zones, starts, stretches(), st.data())
def test_price_never_decreases_with_more_time(
    tariff: Tariff, zone: str, start: datetime, legs: list[Stretch], data: st.DataObject
) -> None:
    """With step_size 1 (the spec's advice) a session that goes on never gets cheaper."""
    usage = usage_of(zone, start, legs)
    earlier = data.draw(st.integers(0, len(usage.samples) - 1))
    later = data.draw(st.integers(earlier, len(usage.samples) - 1))
    first = price_session(tariff, usage.up_to(earlier)).total_cost
    assert not_lower(price_session(tariff, usage.up_to(later)).total_cost, first)
    assert not_lower(price_session(tariff, usage).total_cost, first)


@SETTINGS
@given(tariffs(energy_restrictions=False), zones, starts, stretches(report_power=True), st.data())
def test_price_never_decreases_with_more_energy(
    tariff: Tariff, zone: str, start: datetime, legs: list[Stretch], data: st.DataObject
) -> None:
    """More energy in one stretch (same reported power, same times) never costs less."""
    index = data.draw(st.integers(0, len(legs) - 1))
    extra = data.draw(st.integers(1, 500))
    more = list(legs)
    more[index] = dataclasses.replace(legs[index], wh_per_minute=legs[index].wh_per_minute + extra)
    base = price_session(tariff, usage_of(zone, start, legs)).total_cost
    assert not_lower(price_session(tariff, usage_of(zone, start, more)).total_cost, base)


single_element = st.sampled_from([(FLAT, ENERGY, TIME), (FLAT, ENERGY, PARKING)]).flatmap(
    lambda dims: tariffs(
        steps=st.integers(0, 3600), dimensions=dims, max_elements=1, energy_restrictions=False
    )
)


@SETTINGS
@given(single_element, zones, starts, stretches(report_power=True), st.data())
def test_single_element_tariffs_are_monotone_with_any_step_size(
    tariff: Tariff, zone: str, start: datetime, legs: list[Stretch], data: st.DataObject
) -> None:
    """With one element and one time dimension, step sizes cannot make more cost less."""
    usage = usage_of(zone, start, legs)
    earlier = data.draw(st.integers(0, len(usage.samples) - 1))
    first = price_session(tariff, usage.up_to(earlier)).total_cost
    assert not_lower(price_session(tariff, usage).total_cost, first)
    index = data.draw(st.integers(0, len(legs) - 1))
    more = list(legs)
    more[index] = dataclasses.replace(legs[index], wh_per_minute=legs[index].wh_per_minute + 7)
    richer = price_session(tariff, usage_of(zone, start, more)).total_cost
    assert not_lower(richer, price_session(tariff, usage).total_cost)


# --- invariants of the result --------------------------------------------------------------


def _step_rounding_holds(priced: PricedSession) -> None:
    charges = [c for c in priced.charges if not c.reservation]
    groups = (
        [c for c in charges if c.dimension is ENERGY],
        [c for c in charges if c.dimension in (TIME, PARKING)],
    )
    for group in groups:
        if not group:
            continue
        last = group[-1]
        same = [c for c in group if c.dimension is last.dimension]
        unit = Decimal(1000) if last.dimension is ENERGY else Decimal(3600)
        # Volumes are hours (seconds / 3600, not always a finite decimal): back in seconds
        # they carry noise in the 30th digit, which ROUND_CEILING would turn into a step.
        noise = Decimal("1e-12")
        measured = (sum((c.volume for c in same), Decimal(0)) * unit).quantize(noise)
        billed = sum((c.billed_volume for c in same), Decimal(0)) * unit
        step = last.component.step_size
        expected = (
            measured if step == 0 else (measured / step).to_integral_value(ROUND_CEILING) * step
        )
        assert abs(billed - expected) < Decimal("1e-9")
        assert all(c.billed_volume == c.volume for c in group[:-1])


@SETTINGS
@given(tariffs(steps=st.integers(0, 3600)), zones, starts, stretches())
def test_result_invariants(tariff: Tariff, zone: str, start: datetime, legs: list[Stretch]) -> None:
    usage = usage_of(zone, start, legs)
    priced = price_session(tariff, usage)
    periods = priced.periods
    assert all(a.end == b.start for a, b in itertools.pairwise(periods))
    if periods:
        assert periods[0].start == usage.start
        assert periods[-1].end == usage.end
    assert (
        priced.total_energy_kwh * 1000 == usage.samples[-1].energy_wh - usage.samples[0].energy_wh
    )
    assert priced.total_energy_kwh == sum((p.energy_kwh for p in periods), Decimal(0))
    hours = sum((p.time_hours + p.parking_time_hours for p in periods), Decimal(0))
    assert abs(priced.total_time_hours - hours) < TINY
    dimension_totals = (
        priced.total_energy_cost,
        priced.total_time_cost,
        priced.total_parking_cost,
        priced.total_fixed_cost,
        priced.total_reservation_cost,
    )
    total = Price(Decimal(0), Decimal(0))
    for part in dimension_totals:
        total = total + part
    assert close(total, priced.uncapped_cost)
    if tariff.min_price is not None:
        assert priced.total_cost.excl_vat >= tariff.min_price.excl_vat
    if tariff.max_price is not None:
        assert priced.total_cost.excl_vat <= tariff.max_price.excl_vat
    assert all(c.billed_volume >= c.volume for c in priced.charges)
    assert sum(1 for c in priced.charges if c.dimension is FLAT) <= 1
    _step_rounding_holds(priced)
