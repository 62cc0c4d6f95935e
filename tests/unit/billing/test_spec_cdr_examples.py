"""The step_size examples of OCPI 2.2.1 mod_cdrs ("step_size" under the CDR object) and its
example CDR, with the spec's figures."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal

from shared.billing import (
    Restrictions,
    Tariff,
    TariffDimension,
    TariffElement,
    UsageSample,
    price_session,
)
from shared.billing.usage import SessionUsage
from tests.unit.billing.helpers import (
    CHARGING,
    ENERGY,
    PARKED,
    PARKING,
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

ZONE = "Europe/Amsterdam"


def before_and_after_17(dimension: TariffDimension, before: str, after: str, step: int) -> Tariff:
    return Tariff(
        id="cdr-step",
        currency="EUR",
        elements=(
            TariffElement(
                (component(dimension, before, None, step),), Restrictions(end_time=time(17))
            ),
            TariffElement((component(dimension, after, None, step),)),
        ),
    )


def billed_minutes(charges: list[tuple[Decimal, Decimal]]) -> list[Decimal]:
    return [minutes(volume) for volume, _ in charges]


def test_switch_from_charging_to_parking_rounds_only_parking() -> None:
    """Both step_sizes 5 minutes; 21 minutes charging, 7 parked: 21 and 10 are billed."""
    tariff = Tariff(
        id="t",
        currency="EUR",
        elements=(
            TariffElement(
                (component(TIME, "1.00", None, 300), component(PARKING, "1.00", None, 300))
            ),
        ),
    )
    usage = build_usage(
        ZONE, local(ZONE, 2024, 3, 5, 10), [Leg(21, CHARGING, 3000), Leg(7, PARKED)]
    )
    priced = price_session(tariff, usage)
    assert billed_minutes(charges_of(priced, TIME)) == [D(21)]
    assert billed_minutes(charges_of(priced, PARKING)) == [D(10)]


def test_energy_step_size_applies_to_the_session_total() -> None:
    """€ 0.20/kWh before 17:00, € 0.27 after, step 500 Wh: 4.3 + 1.1 kWh is billed as 5.5
    kWh in total, so 1.2 kWh after 17:00 (not 1.5)."""
    tariff = before_and_after_17(ENERGY, "0.20", "0.27", 500)
    usage = build_usage(
        ZONE,
        local(ZONE, 2024, 3, 5, 16, 30),
        [Leg(30, CHARGING, 4300), Leg(15, CHARGING, 1100)],
    )
    priced = price_session(tariff, usage)
    assert charges_of(priced, ENERGY) == [(D("4.3"), D("0.860")), (D("1.2"), D("0.324"))]
    assert priced.total_energy_kwh == D("5.4")


def test_time_step_size_applies_to_the_session_total() -> None:
    """€ 5/h before 17:00, € 7/h after, step 10 minutes: 6 + 22 minutes is billed as 30 in
    total, so 24 minutes after 17:00 (not 30)."""
    tariff = before_and_after_17(TIME, "5.00", "7.00", 600)
    usage = build_usage(ZONE, local(ZONE, 2024, 3, 5, 16, 54), [Leg(28, CHARGING, 3000)])
    priced = price_session(tariff, usage)
    assert billed_minutes(charges_of(priced, TIME)) == [D(6), D(24)]
    assert priced.total_time_cost.excl_vat == D("0.50") + D("2.80")


def test_charging_then_parking_step_size_on_parking_total_only() -> None:
    """Charging € 1/h, parking € 2/h, both step 10 minutes; 21 minutes charging and 16
    parked: parking is rounded to 20, charging stays 21, 41 minutes in all."""
    tariff = Tariff(
        id="t",
        currency="EUR",
        elements=(
            TariffElement(
                (component(TIME, "1.00", None, 600), component(PARKING, "2.00", None, 600))
            ),
        ),
    )
    usage = build_usage(
        ZONE, local(ZONE, 2024, 3, 5, 10), [Leg(21, CHARGING, 3000), Leg(16, PARKED)]
    )
    priced = price_session(tariff, usage)
    assert billed_minutes(charges_of(priced, TIME)) == [D(21)]
    assert billed_minutes(charges_of(priced, PARKING)) == [D(20)]
    # 21 min at € 1/h = 0.35; 20 min at € 2/h = 0.6666…
    assert priced.total_cost.excl_vat.quantize(D("0.000001")) == D("1.016667")


def test_example_cdr() -> None:
    """examples/cdr_example.json: € 2/h (10 % VAT, step 5 minutes) from 21:39:09 to
    23:37:32 UTC, 15.342 kWh; total_time 1.973 h, total cost € 4.00 / € 4.40."""
    tariff = Tariff(
        id="12",
        currency="EUR",
        elements=(TariffElement((component(TIME, "2.00", "10.0", 300),)),),
    )
    start = datetime(2015, 6, 29, 21, 39, 9, tzinfo=UTC)
    end = datetime(2015, 6, 29, 23, 37, 32, tzinfo=UTC)
    samples = (
        UsageSample(start, D(0), CHARGING),
        UsageSample(end, D(15342), CHARGING),
    )
    usage = SessionUsage(start=start, end=end, time_zone="Europe/Brussels", samples=samples)
    priced = price_session(tariff, usage)
    assert priced.total_cost == price("4.00", "4.40")
    assert priced.total_time_cost == price("4.00", "4.40")
    assert priced.total_energy_kwh == D("15.342")
    assert priced.total_time_hours.quantize(D("0.001")) == D("1.973")
    assert len(priced.periods) == 1
    assert priced.periods[0].time_hours == priced.total_time_hours
