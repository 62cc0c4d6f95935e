"""Hand-calculated sessions for the rules the spec states without a worked example.

Every expected figure is worked out in the comment or docstring next to it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest

from shared.billing import (
    DayOfWeek,
    PeriodDimension,
    Price,
    PricedSession,
    Restrictions,
    Tariff,
    TariffDimension,
    TariffElement,
    price_session,
    round_price,
)
from shared.billing.tariff import PriceComponent
from tests.unit.billing.helpers import (
    CHARGING,
    ENERGY,
    FLAT,
    PARKED,
    PARKING,
    RESERVED,
    TIME,
    D,
    Leg,
    build_usage,
    charges_of,
    component,
    local,
    minutes,
    price,
)
from tests.unit.billing.spec_tariffs import RESERVATION

AMS = "Europe/Amsterdam"


def tariff(
    *elements: tuple[tuple[PriceComponent, ...], Restrictions | None], **kw: object
) -> Tariff:
    return Tariff(
        id="t",
        currency="EUR",
        elements=tuple(TariffElement(c, r) for c, r in elements),
        **kw,  # type: ignore[arg-type]
    )


def billed_minutes_and_cost(priced: PricedSession, dimension: TariffDimension) -> list[tuple[D, D]]:
    return [(minutes(v), c) for v, c in charges_of(priced, dimension)]


# --- time of day across midnight -----------------------------------------------------------

NIGHT = tariff(
    ((component(ENERGY, "0.10"),), Restrictions(start_time=time(22), end_time=time(6))),
    ((component(ENERGY, "0.30"),), None),
)


def test_night_window_starts_at_22_local() -> None:
    """21:00–23:00 at 11 kW, samples only at the ends: the register is interpolated at
    22:00. 11 kWh × 0.30 + 11 kWh × 0.10 = 4.40."""
    usage = build_usage(AMS, local(AMS, 2024, 6, 4, 21), [Leg(120, CHARGING, 22000)])
    priced = price_session(NIGHT, usage)
    assert charges_of(priced, ENERGY) == [(D(11), D("3.30")), (D(11), D("1.10"))]
    assert priced.periods[1].start == local(AMS, 2024, 6, 4, 22)
    assert [p.element_for(ENERGY) for p in priced.periods] == [1, 0]


def test_night_window_continues_past_midnight_until_06() -> None:
    """23:30–06:30 at 7 kW: 6.5 h at night (3.5 h before and 3 h after midnight) and
    0.5 h after 06:00. 45.5 kWh × 0.10 + 3.5 kWh × 0.30 = 4.55 + 1.05 = 5.60."""
    usage = build_usage(AMS, local(AMS, 2024, 6, 4, 23, 30), [Leg(420, CHARGING, 49000)])
    priced = price_session(NIGHT, usage)
    assert priced.total_energy_cost.excl_vat == D("5.60")
    assert charges_of(priced, ENERGY)[-1] == (D("3.5"), D("1.05"))


def test_end_time_midnight_means_end_of_day() -> None:
    """An evening element 18:00–00:00; 23:00–01:00 TIME: 1 h at 4.00, 1 h at 1.00."""
    evening = tariff(
        ((component(TIME, "4.00"),), Restrictions(start_time=time(18), end_time=time(0))),
        ((component(TIME, "1.00"),), None),
    )
    usage = build_usage(AMS, local(AMS, 2024, 6, 4, 23), [Leg(120, CHARGING, 5000)])
    assert price_session(evening, usage).total_cost.excl_vat == D("5.00")


def test_equal_start_and_end_time_is_the_whole_day() -> None:
    always = tariff(
        ((component(TIME, "4.00"),), Restrictions(start_time=time(8), end_time=time(8))),
        ((component(TIME, "1.00"),), None),
    )
    usage = build_usage(AMS, local(AMS, 2024, 6, 4, 7), [Leg(120, CHARGING, 5000)])
    assert price_session(always, usage).total_cost.excl_vat == D("8.00")


# --- day of week ---------------------------------------------------------------------------

WEEKEND_TIME = tariff(
    (
        (component(TIME, "1.00"),),
        Restrictions(day_of_week=frozenset({DayOfWeek.SATURDAY, DayOfWeek.SUNDAY})),
    ),
    ((component(TIME, "2.00"),), None),
)


def test_weekend_starts_at_local_midnight_friday_to_saturday() -> None:
    """Fri 23:00 – Sat 01:00 Stockholm: 1 h × 2.00 + 1 h × 1.00 = 3.00."""
    zone = "Europe/Stockholm"
    usage = build_usage(zone, local(zone, 2024, 6, 7, 23), [Leg(120, CHARGING, 10000)])
    priced = price_session(WEEKEND_TIME, usage)
    assert billed_minutes_and_cost(priced, TIME) == [(D(60), D("2.00")), (D(60), D("1.00"))]


def test_weekend_uses_the_local_date_not_utc() -> None:
    """Sat 00:00–01:00 in Stockholm (UTC+2) is still Friday in UTC: weekend price, 1.00."""
    zone = "Europe/Stockholm"
    usage = build_usage(zone, local(zone, 2024, 6, 8, 0), [Leg(60, CHARGING, 5000)])
    assert usage.start.weekday() == 4  # Friday in UTC
    assert price_session(WEEKEND_TIME, usage).total_cost.excl_vat == D("1.00")


def test_weekend_ends_at_local_midnight_sunday_to_monday() -> None:
    """Sun 23:30 – Mon 00:30 in New York: 0.5 h × 1.00 + 0.5 h × 2.00 = 1.50."""
    zone = "America/New_York"
    usage = build_usage(zone, local(zone, 2024, 6, 9, 23, 30), [Leg(60, CHARGING, 5000)])
    assert price_session(WEEKEND_TIME, usage).total_cost.excl_vat == D("1.50")


# --- dates ---------------------------------------------------------------------------------


def test_start_and_end_date_are_local_inclusive_and_exclusive() -> None:
    """A July promotion (start 2024-07-01, end 2024-08-01) at 0.10/kWh, else 0.30.
    Helsinki, Jun 30 23:00 – Jul 1 01:00 at 10 kW: 10 × 0.30 + 10 × 0.10 = 4.00; and
    Jul 31 23:00 – Aug 1 01:00: 10 × 0.10 + 10 × 0.30 = 4.00, split the other way."""
    zone = "Europe/Helsinki"
    promo = tariff(
        (
            (component(ENERGY, "0.10"),),
            Restrictions(start_date=date(2024, 7, 1), end_date=date(2024, 8, 1)),
        ),
        ((component(ENERGY, "0.30"),), None),
    )
    into = price_session(
        promo, build_usage(zone, local(zone, 2024, 6, 30, 23), [Leg(120, CHARGING, 20000)])
    )
    out = price_session(
        promo, build_usage(zone, local(zone, 2024, 7, 31, 23), [Leg(120, CHARGING, 20000)])
    )
    assert charges_of(into, ENERGY) == [(D(10), D("3.00")), (D(10), D("1.00"))]
    assert charges_of(out, ENERGY) == [(D(10), D("1.00")), (D(10), D("3.00"))]


# --- daylight saving time ------------------------------------------------------------------


def test_spring_forward_jumps_over_a_boundary() -> None:
    """Amsterdam, 31 March 2024: 02:00 does not exist (01:59:59 +01 → 03:00 +02). A night
    element until 02:30 ends at the jump. 01:00–04:00 local is 2 real hours: 1 h at 1.00
    (01:00–02:00 +01) and 1 h at 3.00 (03:00–04:00 +02) = 4.00."""
    night = tariff(
        ((component(TIME, "1.00"),), Restrictions(start_time=time(22), end_time=time(2, 30))),
        ((component(TIME, "3.00"),), None),
    )
    usage = build_usage(AMS, local(AMS, 2024, 3, 31, 1), [Leg(120, CHARGING, 5000)])
    priced = price_session(night, usage)
    assert billed_minutes_and_cost(priced, TIME) == [(D(60), D("1.00")), (D(60), D("3.00"))]


def test_fall_back_repeats_a_window() -> None:
    """Amsterdam, 27 October 2024: 02:00–03:00 happens twice. A 02:30–03:00 element is
    active twice, 30 minutes each. 01:00 +02 to 04:00 +01 is 4 real hours: 1 h at 10.00 and
    3 h at 1.00 = 13.00."""
    window = tariff(
        ((component(TIME, "10.00"),), Restrictions(start_time=time(2, 30), end_time=time(3))),
        ((component(TIME, "1.00"),), None),
    )
    usage = build_usage(AMS, local(AMS, 2024, 10, 27, 1), [Leg(240, CHARGING, 5000)])
    priced = price_session(window, usage)
    assert priced.total_time_hours == D(4)
    assert priced.total_cost.excl_vat == D("13.00")
    assert [minutes(p.time_hours) for p in priced.periods] == [D(90), D(30), D(30), D(30), D(60)]


# --- power, current, energy and duration ---------------------------------------------------

POWER = tariff(
    ((component(ENERGY, "0.30"),), Restrictions(max_power=D(11))),
    ((component(ENERGY, "0.50"),), None),
)


@pytest.mark.parametrize("reported", [True, False])
def test_max_power_switches_elements_mid_session(reported: bool) -> None:
    """30 min at 7 kW, 30 at 22 kW, 30 at 7 kW: 3.5 × 0.30 + 11 × 0.50 + 3.5 × 0.30 = 7.60.
    Without power readings the average power of each stretch decides, with the same result."""
    legs = [
        Leg(30, CHARGING, 3500, power_w=7000 if reported else None),
        Leg(30, CHARGING, 11000, power_w=22000 if reported else None),
        Leg(30, CHARGING, 3500, power_w=7000 if reported else None),
    ]
    priced = price_session(POWER, build_usage(AMS, local(AMS, 2024, 6, 4, 10), legs))
    assert priced.total_cost.excl_vat == D("7.60")
    assert [p.element_for(ENERGY) for p in priced.periods] == [0, 1, 0]
    assert [p.max_power_kw for p in priced.periods] == [D(7), D(22), D(7)]


def test_power_exactly_at_max_power_is_excluded() -> None:
    """max_power is exclusive: at exactly 11 kW the fallback applies. 11 kWh × 0.50."""
    usage = build_usage(AMS, local(AMS, 2024, 6, 4, 10), [Leg(60, CHARGING, 11000, power_w=11000)])
    assert price_session(POWER, usage).total_cost.excl_vat == D("5.50")


def test_current_restriction_with_unknown_current_does_not_match() -> None:
    """No current reported: a max_current element cannot be shown to apply, the fallback does."""
    amps = tariff(
        ((component(TIME, "1.00"),), Restrictions(max_current=D(32))),
        ((component(TIME, "5.00"),), None),
    )
    unknown = build_usage(AMS, local(AMS, 2024, 6, 4, 10), [Leg(60, CHARGING, 7000)])
    known = build_usage(AMS, local(AMS, 2024, 6, 4, 10), [Leg(60, CHARGING, 7000, current_a=16)])
    assert price_session(amps, unknown).total_cost.excl_vat == D("5.00")
    assert price_session(amps, known).total_cost.excl_vat == D("1.00")
    assert price_session(amps, known).periods[0].max_current_a == D(16)


def test_max_kwh_splits_one_stretch_at_the_threshold() -> None:
    """15 kWh in one hour, samples only at the ends; first 10 kWh at 0.50, then 0.20: 6.00.
    The threshold is passed at 40 minutes."""
    tiered = tariff(
        ((component(ENERGY, "0.50"),), Restrictions(max_kwh=D(10))),
        ((component(ENERGY, "0.20"),), None),
    )
    priced = price_session(
        tiered, build_usage(AMS, local(AMS, 2024, 6, 4, 10), [Leg(60, CHARGING, 15000)])
    )
    assert charges_of(priced, ENERGY) == [(D(10), D("5.00")), (D(5), D("1.00"))]
    assert priced.periods[1].start == local(AMS, 2024, 6, 4, 10, 40)


def test_min_kwh_on_a_time_element() -> None:
    """TIME costs 3.00/h once 20 kWh are in; 30 kWh over 90 minutes, evenly: the threshold
    falls at 60 minutes, so 30 minutes are billed: 1.50."""
    late = tariff(((component(TIME, "3.00"),), Restrictions(min_kwh=D(20))))
    priced = price_session(
        late, build_usage(AMS, local(AMS, 2024, 6, 4, 10), [Leg(90, CHARGING, 30000)])
    )
    assert billed_minutes_and_cost(priced, TIME) == [(D(30), D("1.50"))]


def test_idle_fee_after_a_grace_period_measured_from_session_start() -> None:
    """Parking is free for the first 2 hours of the session, then 12.00/h. Charging 100
    minutes, then parked 50: parked 20 minutes free and 30 minutes paid: 6.00."""
    idle = tariff(
        ((component(PARKING, "0.00"),), Restrictions(max_duration=7200)),
        ((component(PARKING, "12.00"),), None),
    )
    usage = build_usage(
        AMS, local(AMS, 2024, 6, 4, 10), [Leg(100, CHARGING, 20000), Leg(50, PARKED)]
    )
    priced = price_session(idle, usage)
    assert billed_minutes_and_cost(priced, PARKING) == [(D(20), D("0.00")), (D(30), D("6.00"))]


# --- step sizes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("charged", "billed", "cost"),
    [(D(60), D(60), "1.20"), (D(61), D(65), "1.30"), (D("60.05"), D(65), "1.30")],
)
def test_time_step_of_300_seconds(charged: D, billed: D, cost: str) -> None:
    """1.20/h billed per 5 minutes: 60 min → 60, 61 min → 65, 60 min 3 s → 65."""
    per_5 = tariff(((component(TIME, "1.20", None, 300),), None))
    priced = price_session(
        per_5, build_usage(AMS, local(AMS, 2024, 6, 4, 10), [Leg(charged, CHARGING, 5000)])
    )
    assert billed_minutes_and_cost(priced, TIME) == [(billed, D(cost))]


@pytest.mark.parametrize(
    ("wh", "billed_kwh", "cost"), [(7000, 7, "2.10"), (7200, 8, "2.40"), (1, 1, "0.30")]
)
def test_energy_step_of_1000_wh(wh: int, billed_kwh: int, cost: str) -> None:
    per_kwh = tariff(((component(ENERGY, "0.30", None, 1000),), None))
    usage = build_usage(AMS, local(AMS, 2024, 6, 4, 10), [Leg(60, CHARGING, wh), Leg(30, PARKED)])
    priced = price_session(per_kwh, usage)
    # Parking after charging does not stop ENERGY from being rounded: it is its own group.
    assert charges_of(priced, ENERGY) == [(D(billed_kwh), D(cost))]


STOP_AND_GO = tariff(
    ((component(TIME, "2.00", None, 600), component(PARKING, "4.00", None, 600)), None)
)


def test_parking_after_charging_ends_rounds_total_parking() -> None:
    """Charge 25, park 7, charge 12, park 14 (step 10 min both). Parking is last: its total
    21 min → 30, the 9 extra minutes on the last parking period; charging stays 37 min.
    37/60 × 2.00 + 30/60 × 4.00 = 1.2333… + 2.00."""
    legs = [Leg(25, CHARGING, 4000), Leg(7, PARKED), Leg(12, CHARGING, 2000), Leg(14, PARKED)]
    priced = price_session(STOP_AND_GO, build_usage(AMS, local(AMS, 2024, 6, 4, 10), legs))
    assert [minutes(v) for v, _ in charges_of(priced, TIME)] == [D(25), D(12)]
    assert [minutes(v) for v, _ in charges_of(priced, PARKING)] == [D(7), D(23)]
    assert priced.total_parking_time_hours * 60 == D(21)
    assert priced.total_parking_cost.excl_vat == D("2.00")


def test_charging_again_after_parking_rounds_total_charging() -> None:
    """Charge 25, park 7, charge 12: charging is last: its total 37 → 40 min, the 3 extra
    minutes on the last charging period; parking stays 7 minutes."""
    legs = [Leg(25, CHARGING, 4000), Leg(7, PARKED), Leg(12, CHARGING, 2000)]
    priced = price_session(STOP_AND_GO, build_usage(AMS, local(AMS, 2024, 6, 4, 10), legs))
    assert [minutes(v) for v, _ in charges_of(priced, TIME)] == [D(25), D(15)]
    assert [minutes(v) for v, _ in charges_of(priced, PARKING)] == [D(7)]
    assert priced.total_time_cost.excl_vat.quantize(D("0.000001")) == D("1.333333")  # 40 min


# --- price limits and VAT ------------------------------------------------------------------

MIXED_VAT = (component(FLAT, "1.00", "0"), component(ENERGY, "1.00", "25"))


@pytest.mark.parametrize(
    ("kwh", "expected"),
    [
        ("1.2", price("2.20", "2.50")),  # 2.20 / 2.50: above both minimums
        ("0.9", price("2.00", "2.20")),  # 1.90 / 2.125: both raised
        ("0.96", price("2.00", "2.20")),  # 1.96 / 2.20: excl raised, incl exactly at its minimum
        ("1.05", price("2.05", "2.3125")),  # 2.05 / 2.3125: untouched
    ],
)
def test_min_price_applies_to_excl_and_incl_vat_separately(kwh: str, expected: Price) -> None:
    floor = tariff((MIXED_VAT, None), min_price=price("2.00", "2.20"))
    usage = build_usage(AMS, local(AMS, 2024, 6, 4, 10), [Leg(60, CHARGING, D(kwh) * 1000)])
    assert price_session(floor, usage).total_cost == expected


def test_max_price_applies_to_excl_and_incl_vat_separately() -> None:
    """10 kWh: 11.00 / 13.50. The cap is 12.00 / 13.00: only incl. VAT is capped."""
    cap = tariff((MIXED_VAT, None), max_price=price("12.00", "13.00"))
    usage = build_usage(AMS, local(AMS, 2024, 6, 4, 10), [Leg(60, CHARGING, 10000)])
    priced = price_session(cap, usage)
    assert priced.total_cost == price("11.00", "13.00")
    assert priced.uncapped_cost == price("11.00", "13.50")
    assert priced.total_energy_cost == price("10.00", "12.50")  # dimension totals stay uncapped


def test_min_price_without_incl_vat_keeps_incl_at_least_excl() -> None:
    floor = tariff((MIXED_VAT, None), min_price=price("3.00"))
    usage = build_usage(AMS, local(AMS, 2024, 6, 4, 10), [Leg(60, CHARGING, 1000)])
    assert price_session(floor, usage).total_cost == price("3.00", "3.00")


def test_vat_absent_means_no_vat() -> None:
    """No VAT on the component: incl. VAT equals excl. VAT (not 'unknown')."""
    no_vat = tariff(((component(ENERGY, "0.30"),), None))
    usage = build_usage(AMS, local(AMS, 2024, 6, 4, 10), [Leg(60, CHARGING, 10000)])
    assert price_session(no_vat, usage).total_cost == price("3.00", "3.00")


# --- FLAT and element structure ------------------------------------------------------------


def test_flat_is_billed_once_even_when_another_flat_becomes_active() -> None:
    """A 1.00 start fee in the first hour, a 3.00 one after; a 2-hour session pays 1.00."""
    fees = tariff(
        ((component(FLAT, "1.00"),), Restrictions(max_duration=3600)),
        ((component(FLAT, "3.00"),), None),
    )
    usage = build_usage(AMS, local(AMS, 2024, 6, 4, 10), [Leg(120, CHARGING, 9000)])
    assert charges_of(price_session(fees, usage), FLAT) == [(D(1), D("1.00"))]


def test_each_dimension_picks_its_own_element() -> None:
    """The first element prices only ENERGY (with a restriction); TIME comes from the second
    element even while the first is active."""
    split = tariff(
        ((component(ENERGY, "0.20"),), Restrictions(max_power=D(50))),
        ((component(ENERGY, "0.40"), component(TIME, "1.00")), None),
    )
    usage = build_usage(AMS, local(AMS, 2024, 6, 4, 10), [Leg(60, CHARGING, 10000, power_w=10000)])
    priced = price_session(split, usage)
    assert priced.periods[0].elements == ((ENERGY, 0), (TIME, 1))
    assert priced.total_cost.excl_vat == D("3.00")


def test_no_matching_element_means_the_dimension_is_free() -> None:
    daytime = tariff(
        ((component(TIME, "6.00"),), Restrictions(start_time=time(8), end_time=time(20)))
    )
    usage = build_usage(AMS, local(AMS, 2024, 6, 4, 21), [Leg(60, CHARGING, 10000)])
    priced = price_session(daytime, usage)
    assert priced.total_cost == price("0", "0")
    assert priced.periods[0].elements == ()


def test_session_elements_do_not_price_the_reservation() -> None:
    """An unrestricted TIME element prices charging, not the 20 minutes of reservation
    before it; the reservation element prices those (3.00/h → 1.00)."""
    both = tariff(
        ((component(TIME, "3.00"),), RESERVATION),
        ((component(TIME, "2.00"),), None),
    )
    usage = build_usage(
        AMS,
        local(AMS, 2024, 6, 4, 10),
        [Leg(20, RESERVED), Leg(60, CHARGING, 5000)],
    )
    priced = price_session(both, usage)
    assert priced.total_reservation_cost.excl_vat == D("1.00")
    assert priced.total_time_cost.excl_vat == D("2.00")
    assert priced.total_time_hours == D(1)
    assert priced.total_reservation_time_hours * 60 == D(20)


def test_running_session_bills_time_since_the_last_sample() -> None:
    """A session still charging: 50 minutes of samples, asked at 60 minutes. TIME counts the
    10 minutes since the last meter value; energy stays what was metered."""
    per_hour = tariff(((component(TIME, "6.00"), component(ENERGY, "0.10")), None))
    usage = build_usage(AMS, local(AMS, 2024, 6, 4, 10), [Leg(50, CHARGING, 8000)])
    later = replace(usage, end=usage.end + timedelta(minutes=10))
    priced = price_session(per_hour, later)
    assert priced.total_cost.excl_vat == D("6.00") + D("0.80")


def test_totals_are_exact_when_the_parts_are_not() -> None:
    """1 min at 0.50/h, 2 min at 0.70/h, 4 min at 0.50/h: 0.008333… + 0.023333… + 0.033333…
    is exactly (0.5 + 1.4 + 2.0) / 60 = 0.065, which rounds half up to 0.07; summing the
    parts as 34-digit Decimals would give 0.06499…9 and round to 0.06."""
    parts = tariff(
        ((component(TIME, "0.50"),), Restrictions(end_time=time(10, 1))),
        ((component(TIME, "0.70"),), Restrictions(end_time=time(10, 3))),
        ((component(TIME, "0.50"),), None),
    )
    usage = build_usage(AMS, local(AMS, 2024, 6, 4, 10), [Leg(7, CHARGING, 500)])
    priced = price_session(parts, usage)
    assert len(priced.charges) == 3
    assert priced.total_time_cost.excl_vat == D("0.065")
    assert priced.total_cost.excl_vat == D("0.065")
    assert round_price(priced.total_cost).excl_vat == D("0.07")


def test_period_dimensions_follow_the_state() -> None:
    """Reserved 15 min, charged 30 min (6 kWh, 12 kW reported, 17 A), parked 45 min."""
    usage = build_usage(
        AMS,
        local(AMS, 2024, 6, 4, 10),
        [
            Leg(15, RESERVED),
            Leg(30, CHARGING, 6000, power_w=12000, current_a=17),
            Leg(45, PARKED, power_w=0, current_a=0),
        ],
    )
    flat_only = tariff(((component(FLAT, "1.00"),), None))
    reserved, charging, parked = price_session(flat_only, usage).periods
    assert reserved.dimensions == ((PeriodDimension.RESERVATION_TIME, D("0.25")),)
    assert charging.dimensions == (
        (PeriodDimension.ENERGY, D(6)),
        (PeriodDimension.TIME, D("0.5")),
        (PeriodDimension.MIN_CURRENT, D(17)),
        (PeriodDimension.MAX_CURRENT, D(17)),
        (PeriodDimension.MIN_POWER, D(12)),
        (PeriodDimension.MAX_POWER, D(12)),
    )
    assert parked.dimensions[:2] == (
        (PeriodDimension.ENERGY, D(0)),
        (PeriodDimension.PARKING_TIME, D("0.75")),
    )
    assert charging.cost == price("1.00", "1.00")
