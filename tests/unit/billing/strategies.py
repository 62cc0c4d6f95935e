"""Hypothesis strategies for tariffs and usages.

Sessions are whole minutes long and start on a whole minute; restriction boundaries fall on
quarter hours and whole minutes of duration; every zone offset used is a whole number of
minutes. A minute is then never split by a restriction, which lets a test price a session
minute by minute as an independent reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from shared.billing import (
    DayOfWeek,
    Price,
    PriceComponent,
    Restrictions,
    SessionUsage,
    Tariff,
    TariffDimension,
    TariffElement,
    UsageSample,
    UsageState,
)

ZONES = (
    "UTC",
    "Europe/Amsterdam",
    "America/New_York",
    "Asia/Kolkata",  # +05:30
    "Asia/Kathmandu",  # +05:45
    "Australia/Lord_Howe",  # a 30-minute DST shift
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/St_Johns",  # −03:30 / −02:30
)

cents = st.integers(0, 999).map(lambda c: Decimal(c).scaleb(-2))
vats = st.sampled_from([None, Decimal(0), Decimal("5.5"), Decimal(21), Decimal(25)])
quarter_hours = st.integers(0, 95).map(lambda q: time(q // 4, (q % 4) * 15))
sometimes = st.integers(0, 3).map(lambda n: n == 0)
UNIT_STEPS = st.sampled_from([0, 1])  # no rounding beyond whole Wh and whole seconds


@dataclass(frozen=True)
class Stretch:
    """A leg of a generated session: minutes, state, Wh per minute, power, current."""

    minutes: int
    state: UsageState
    wh_per_minute: int
    power_w: int | None
    current_a: int | None


@st.composite
def restrictions(draw: st.DrawFn, *, energy: bool) -> Restrictions | None:
    """Random restrictions; each field is set one time in four."""
    if draw(st.booleans()):
        return None
    fields: dict[str, Any] = {}
    optional = {
        "start_time": quarter_hours,
        "end_time": quarter_hours,
        "day_of_week": st.frozensets(st.sampled_from(DayOfWeek), min_size=1),
        "start_date": st.dates(date(2024, 1, 1), date(2024, 12, 31)),
        "end_date": st.dates(date(2024, 1, 1), date(2024, 12, 31)),
        "min_duration": st.integers(0, 300).map(lambda m: m * 60),
        "max_duration": st.integers(0, 300).map(lambda m: m * 60),
        "min_power": st.integers(0, 30).map(Decimal),
        "max_power": st.integers(0, 30).map(Decimal),
        "min_current": st.integers(0, 64).map(Decimal),
        "max_current": st.integers(0, 64).map(Decimal),
    }
    if energy:
        optional["min_kwh"] = st.integers(0, 40).map(Decimal)
        optional["max_kwh"] = st.integers(0, 40).map(Decimal)
    for name, strategy in optional.items():
        if draw(sometimes):
            fields[name] = draw(strategy)
    return Restrictions(**fields)


@st.composite
def tariffs(
    draw: st.DrawFn,
    *,
    steps: st.SearchStrategy[int] = UNIT_STEPS,
    energy_restrictions: bool = True,
    dimensions: Sequence[TariffDimension] = tuple(TariffDimension),
    max_elements: int = 5,
    limits: bool = True,
) -> Tariff:
    """A tariff of 1–`max_elements` elements over `dimensions`."""
    elements = []
    for _ in range(draw(st.integers(1, max_elements))):
        chosen = draw(st.lists(st.sampled_from(dimensions), min_size=1, max_size=3, unique=True))
        components = tuple(
            PriceComponent(
                d, draw(cents), draw(vats), 0 if d is TariffDimension.FLAT else draw(steps)
            )
            for d in chosen
        )
        elements.append(TariffElement(components, draw(restrictions(energy=energy_restrictions))))
    low = high = None
    if limits and draw(sometimes):
        low = Price(draw(cents), None)
    if limits and draw(sometimes):
        high = Price(draw(cents) * 10, None)
        high = high if low is None or high.excl_vat >= low.excl_vat else None
    return Tariff(id="gen", currency="EUR", elements=tuple(elements), min_price=low, max_price=high)


@st.composite
def stretches(
    draw: st.DrawFn, *, max_size: int = 8, report_power: bool | None = None
) -> list[Stretch]:
    """1–`max_size` legs of charging or parking."""
    legs = []
    for _ in range(draw(st.integers(1, max_size))):
        state = draw(st.sampled_from([UsageState.CHARGING, UsageState.PARKED]))
        charging = state is UsageState.CHARGING
        wh = draw(st.integers(0, 600)) if charging else 0
        power = st.integers(0, 40000) if report_power is None else st.just(wh * 60)
        reported = draw(st.booleans()) if report_power is None else report_power
        legs.append(
            Stretch(
                minutes=draw(st.integers(0, 180)),
                state=state,
                wh_per_minute=wh,
                power_w=draw(power) if reported else None,
                current_a=draw(st.none() | st.integers(0, 64)),
            )
        )
    return legs


starts = st.datetimes(datetime(2024, 1, 1), datetime(2024, 12, 31), timezones=st.just(UTC)).map(
    lambda d: d.replace(second=0, microsecond=0)
)


def usage_of(zone: str, start: datetime, legs: Sequence[Stretch]) -> SessionUsage:
    """The usage for `legs` from `start`: a sample at each leg's start and one at the end."""
    samples = []
    moment, register = start, Decimal(12345)
    for leg in legs:
        samples.append(
            UsageSample(
                moment,
                register,
                leg.state,
                None if leg.power_w is None else Decimal(leg.power_w),
                None if leg.current_a is None else Decimal(leg.current_a),
            )
        )
        moment += timedelta(minutes=leg.minutes)
        register += leg.minutes * leg.wh_per_minute
    samples.append(UsageSample(moment, register, legs[-1].state))
    return SessionUsage(start=start, end=moment, time_zone=zone, samples=tuple(samples))
