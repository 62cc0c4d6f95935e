"""The incremental `SessionPricer` and `running_cost`: same answers as pricing in one go."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.billing import (
    SessionPricer,
    Tariff,
    TariffElement,
    UsageError,
    UsageSample,
    price_session,
    running_cost,
)
from tests.unit.billing import spec_tariffs as spec
from tests.unit.billing.helpers import (
    CHARGING,
    PARKED,
    PARKING,
    RESERVED,
    TIME,
    D,
    Leg,
    build_usage,
    component,
    local,
    price,
)

ZONE = "Europe/Berlin"
LEGS = [
    Leg(20, RESERVED),
    Leg(40, CHARGING, 9000, current_a=16),
    Leg(95, CHARGING, 30000, current_a=40),
    Leg(12, PARKED, current_a=0),
    Leg(30, CHARGING, 2000, current_a=10),
    Leg(71, PARKED, current_a=0),
]


@pytest.mark.parametrize("split", range(1, 8))
def test_feeding_in_two_parts_with_queries_in_between_matches_batch(split: int) -> None:
    usage = build_usage(ZONE, local(ZONE, 2024, 6, 8, 11, 15), LEGS)
    tariff = spec.complex_tariff()
    pricer = SessionPricer(tariff, ZONE)
    pricer.extend(usage.samples[:split])
    last = usage.samples[split - 1].timestamp
    pricer.price(last)
    pricer.running_cost(last + timedelta(minutes=3))
    pricer.extend(usage.samples[split:])
    assert pricer.price(usage.end) == price_session(tariff, usage)


@pytest.mark.parametrize("index", range(7))
def test_running_cost_equals_the_price_of_a_session_ending_at_that_sample(index: int) -> None:
    usage = build_usage(ZONE, local(ZONE, 2024, 6, 8, 11, 15), LEGS)
    tariff = spec.complex_tariff()
    pricer = SessionPricer(tariff, ZONE)
    pricer.extend(usage.samples[: index + 1])
    expected = price_session(tariff, usage.up_to(index)).total_cost
    assert pricer.running_cost(usage.samples[index].timestamp) == expected
    assert running_cost(tariff, usage.up_to(index)) == expected


def test_saturday_session_figures() -> None:
    """Reserved 20 min (no reservation elements: free), then 11:35–12:15 at 16 A (1.00/h,
    element 1), 12:15–13:50 at 40 A (weekend 1.25/h, element 3), parked 13:50–14:02 (6.00/h,
    element 5), charging 14:02–14:32 at 10 A (1.00/h), parked 14:32–15:43 (6.00/h; 10:00–17:00
    Saturday). Parking is last: 12 + 71 = 83 min → 85 min (step 5 min), the 2 extra on the
    last period. Charging: 40/60 + 95/60 × 1.25 + 30/60 = 0.6667 + 1.9792 + 0.5 = 3.1458…
    Parking: 85/60 × 6 = 8.50. Flat 2.50. Total excl. 14.1458…"""
    usage = build_usage(ZONE, local(ZONE, 2024, 6, 8, 11, 15), LEGS)
    priced = price_session(spec.complex_tariff(), usage)
    assert priced.total_parking_cost.excl_vat == D("8.50")
    expected_time = D(40) / 60 + D(95) / 60 * D("1.25") + D(30) / 60
    assert abs(priced.total_time_cost.excl_vat - expected_time) < D("1e-20")
    assert priced.total_fixed_cost.excl_vat == D("2.50")
    assert priced.total_reservation_cost == price("0", "0")
    assert priced.total_reservation_time_hours * 60 == D(20)


def test_running_cost_can_drop_when_charging_stops() -> None:
    """A consequence of the spec's step_size rule, kept on purpose: 21 minutes of charging
    at 3.00/h with a 10-minute step costs 30 minutes (1.50) while charging is the last
    time-based period; one minute of parking later, charging is no longer rounded (1.05)
    and parking is (10 minutes at 0.50/h)."""
    tariff = Tariff(
        id="t",
        currency="EUR",
        elements=(
            TariffElement(
                (component(TIME, "3.00", None, 600), component(PARKING, "0.50", None, 600))
            ),
        ),
    )
    usage = build_usage(
        ZONE, local(ZONE, 2024, 6, 4, 10), [Leg(21, CHARGING, 3000), Leg(1, PARKED)]
    )
    while_charging = running_cost(tariff, usage.up_to(1))
    parked = running_cost(tariff, usage)
    assert while_charging.excl_vat == D("1.50")
    assert parked.excl_vat.quantize(D("0.0001")) == D("1.1333")


def test_pricer_rejects_bad_input() -> None:
    pricer = SessionPricer(spec.TARIFF_8, ZONE)
    start = local(ZONE, 2024, 6, 4, 10)
    with pytest.raises(UsageError, match="no sample"):
        pricer.price(start)
    pricer.add(UsageSample(start, D(100), CHARGING))
    with pytest.raises(UsageError, match="before the last sample"):
        pricer.price(start - timedelta(seconds=1))
    with pytest.raises(UsageError, match="timezone-aware"):
        pricer.price(start.replace(tzinfo=None))
    with pytest.raises(UsageError, match="earlier"):
        pricer.add(UsageSample(start - timedelta(seconds=1), D(100), CHARGING))
    with pytest.raises(UsageError, match="backwards"):
        pricer.add(UsageSample(start + timedelta(seconds=1), D(99), CHARGING))
    with pytest.raises(UsageError, match="RESERVED"):
        pricer.add(UsageSample(start + timedelta(seconds=1), D(100), RESERVED))
    # The rejected samples left the pricer as it was.
    assert pricer.price(start + timedelta(hours=1)).total_cost == price("0", "0")


def test_expired_reservation_pricer_refuses_a_session_sample() -> None:
    pricer = SessionPricer(spec.TARIFF_17, ZONE, reservation_expired=True)
    start = local(ZONE, 2024, 6, 4, 10)
    pricer.add(UsageSample(start, D(0), RESERVED))
    with pytest.raises(UsageError, match="expired"):
        pricer.add(UsageSample(start + timedelta(minutes=5), D(0), CHARGING))


def test_price_is_repeatable() -> None:
    usage = build_usage(ZONE, local(ZONE, 2024, 6, 8, 11, 15), LEGS)
    pricer = SessionPricer(spec.complex_tariff(), ZONE)
    pricer.extend(usage.samples)
    assert pricer.price(usage.end) == pricer.price(usage.end)
    assert pricer.tariff == spec.complex_tariff()
