"""The domain types refuse what cannot be priced, and accept exact numbers only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest

from shared.billing import (
    BillingError,
    DayOfWeek,
    Price,
    PriceComponent,
    ReservationRestriction,
    Restrictions,
    SessionUsage,
    Tariff,
    TariffElement,
    TariffError,
    TariffType,
    UsageError,
    UsageSample,
    round_price,
    select_tariff,
    sum_prices,
)
from tests.unit.billing.helpers import CHARGING, ENERGY, FLAT, PARKED, RESERVED, TIME, D, component

T0 = datetime(2024, 6, 4, 8, 0, tzinfo=UTC)
ELEMENT = TariffElement((component(ENERGY, "0.25"),))


def sample(minutes: int, wh: int | Decimal = 0, state: Any = CHARGING) -> UsageSample:
    return UsageSample(T0 + timedelta(minutes=minutes), D(wh), state)


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0.25, True, "0.25"])
def test_price_component_refuses_non_decimal_price(bad: object) -> None:
    with pytest.raises(TypeError, match="price must be a Decimal"):
        PriceComponent(ENERGY, bad, None, 1)  # type: ignore[arg-type]


def test_ints_become_decimals() -> None:
    pc = PriceComponent(ENERGY, 1, 21, 1)  # type: ignore[arg-type]
    assert type(pc.price) is Decimal
    assert type(pc.vat) is Decimal
    assert type(Price(3).excl_vat) is Decimal  # type: ignore[arg-type]
    assert type(UsageSample(T0, 5, CHARGING).energy_wh) is Decimal  # type: ignore[arg-type]


def test_non_finite_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        Price(Decimal("NaN"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"price": D("-0.01")}, "price must not be negative"),
        ({"vat": D(-1)}, "vat must not be negative"),
        ({"step_size": -1}, "step_size must not be negative"),
    ],
)
def test_price_component_refuses_negative_values(kwargs: dict[str, Any], message: str) -> None:
    fields: dict[str, Any] = {"type": TIME, "price": D(1), "vat": None, "step_size": 1} | kwargs
    with pytest.raises(TariffError, match=message):
        PriceComponent(**fields)


@pytest.mark.parametrize("bad", [1.0, True])
def test_step_size_must_be_an_int(bad: object) -> None:
    with pytest.raises(TypeError, match="step_size"):
        PriceComponent(TIME, D(1), None, bad)  # type: ignore[arg-type]


def test_usage_sample_refuses_float_energy() -> None:
    with pytest.raises(TypeError, match="energy_wh"):
        UsageSample(T0, 1.5, CHARGING)  # type: ignore[arg-type]


# --- restrictions and elements -------------------------------------------------------------


def test_restrictions_refuse_aware_times_and_negative_bounds() -> None:
    with pytest.raises(TariffError, match="naive local time"):
        Restrictions(start_time=time(8, tzinfo=UTC))
    with pytest.raises(TariffError, match="min_kwh"):
        Restrictions(min_kwh=D(-1))
    with pytest.raises(TypeError, match="max_duration"):
        Restrictions(max_duration=1.5)  # type: ignore[arg-type]
    with pytest.raises(TariffError, match="min_duration"):
        Restrictions(min_duration=-5)


def test_restrictions_normalise_enum_values() -> None:
    r = Restrictions(day_of_week=frozenset({"MONDAY"}), reservation="RESERVATION")  # type: ignore[arg-type]
    assert r.day_of_week == frozenset({DayOfWeek.MONDAY})
    assert r.reservation is ReservationRestriction.RESERVATION
    assert Restrictions(end_time=time(0)).uses_calendar
    assert not Restrictions(max_power=D(3)).uses_calendar


def test_day_of_week_of_a_date() -> None:
    assert DayOfWeek.of(date(2024, 6, 3)) is DayOfWeek.MONDAY
    assert DayOfWeek.of(date(2024, 6, 9)) is DayOfWeek.SUNDAY


def test_element_needs_components_and_reservation_elements_only_flat_and_time() -> None:
    with pytest.raises(TariffError, match="at least one price component"):
        TariffElement(())
    reservation = Restrictions(reservation=ReservationRestriction.RESERVATION)
    with pytest.raises(TariffError, match="FLAT and TIME"):
        TariffElement((component(ENERGY, "0.25"),), reservation)
    ok = TariffElement((component(FLAT, "1"), component(TIME, "2")), reservation)
    assert ok.component(TIME) == component(TIME, "2")
    assert ok.component(ENERGY) is None


# --- tariffs -------------------------------------------------------------------------------


def test_tariff_checks() -> None:
    with pytest.raises(TariffError, match="at least one element"):
        Tariff(id="x", currency="EUR", elements=())
    with pytest.raises(TariffError, match="ISO 4217"):
        Tariff(id="x", currency="EURO", elements=(ELEMENT,))
    with pytest.raises(TariffError, match="timezone-aware"):
        Tariff(id="x", currency="EUR", elements=(ELEMENT,), end_date_time=datetime(2024, 1, 1))
    with pytest.raises(TariffError, match="min_price is above max_price"):
        Tariff(
            id="x",
            currency="EUR",
            elements=(ELEMENT,),
            min_price=Price(D(5)),
            max_price=Price(D(4)),
        )
    with pytest.raises(TariffError, match="incl_vat is below excl_vat"):
        Tariff(id="x", currency="EUR", elements=(ELEMENT,), max_price=Price(D(5), D(4)))
    with pytest.raises(TariffError, match="must not be negative"):
        Tariff(id="x", currency="EUR", elements=(ELEMENT,), min_price=Price(D(-1)))


def test_tariff_errors_are_value_errors_and_billing_errors() -> None:
    assert issubclass(TariffError, ValueError)
    assert issubclass(TariffError, BillingError)
    assert issubclass(UsageError, ValueError)
    assert issubclass(UsageError, BillingError)


def test_select_tariff_prefers_the_session_type_then_untyped() -> None:
    untyped = Tariff(id="any", currency="EUR", elements=(ELEMENT,))
    ad_hoc = Tariff(id="card", currency="EUR", elements=(ELEMENT,), type=TariffType.AD_HOC_PAYMENT)
    regular = Tariff(id="rfid", currency="EUR", elements=(ELEMENT,), type=TariffType.REGULAR)
    future = Tariff(
        id="new",
        currency="EUR",
        elements=(ELEMENT,),
        type=TariffType.AD_HOC_PAYMENT,
        start_date_time=T0 + timedelta(days=1),
    )
    tariffs = [untyped, future, ad_hoc, regular]
    assert select_tariff(tariffs, T0, TariffType.AD_HOC_PAYMENT) is ad_hoc
    assert select_tariff(tariffs, T0 + timedelta(days=2), TariffType.AD_HOC_PAYMENT) is future
    assert select_tariff(tariffs, T0) is regular
    assert select_tariff(tariffs, T0, TariffType.PROFILE_GREEN) is untyped
    assert select_tariff([ad_hoc], T0) is None


# --- usages --------------------------------------------------------------------------------


def usage(*samples: UsageSample, end: datetime | None = None, **kw: Any) -> SessionUsage:
    return SessionUsage(
        start=T0,
        end=end or samples[-1].timestamp,
        time_zone=kw.pop("time_zone", "Europe/Oslo"),
        samples=samples,
        **kw,
    )


@pytest.mark.parametrize(
    ("samples", "kwargs", "message"),
    [
        ((), {"end": T0}, "at least one sample"),
        ((sample(1),), {}, "first sample must be taken at the start"),
        (
            (sample(0), sample(10)),
            {"end": T0 + timedelta(minutes=5)},
            "ends before its last sample",
        ),
        ((sample(0), sample(10), sample(5)), {}, "earlier than the one before"),
        ((sample(0, 500), sample(10, 400)), {}, "register goes backwards"),
        ((sample(0), sample(5, 0, RESERVED)), {}, "RESERVED sample follows"),
        ((sample(0, 0, RESERVED), sample(5)), {"reservation_expired": True}, "expired reservation"),
        ((sample(0),), {"time_zone": "Mars/Olympus_Mons"}, "unknown time zone"),
    ],
)
def test_session_usage_checks(
    samples: tuple[UsageSample, ...], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        usage(*samples, **kwargs)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(UsageError, match="timezone-aware"):
        UsageSample(datetime(2024, 1, 1), D(0), CHARGING)
    with pytest.raises(UsageError, match="timezone-aware"):
        SessionUsage(start=datetime(2024, 1, 1), end=T0, time_zone="UTC", samples=(sample(0),))


def test_register_may_restart_when_the_session_starts_after_a_reservation() -> None:
    reserved_then_charging = usage(
        sample(0, 900, RESERVED), sample(5, 100), sample(15, 300, PARKED)
    )
    assert reserved_then_charging.session_start == T0 + timedelta(minutes=5)


def test_up_to_cuts_the_usage_at_a_sample() -> None:
    full = usage(sample(0), sample(10, 100), sample(20, 300, PARKED), end=T0 + timedelta(hours=1))
    cut = full.up_to(1)
    assert cut.samples == full.samples[:2]
    assert cut.end == T0 + timedelta(minutes=10)
    with pytest.raises(IndexError):
        full.up_to(3)


# --- prices --------------------------------------------------------------------------------


def test_price_sum_and_rounding() -> None:
    assert Price(D(1), D("1.2")) + Price(D(2), D("2.4")) == Price(D(3), D("3.6"))
    assert (Price(D(1), None) + Price(D(2), D(2))).incl_vat is None
    assert sum_prices([]) == Price(D(0), D(0))
    assert round_price(Price(D("4.997"), D("5.625"))) == Price(D("5.00"), D("5.63"))
    assert round_price(Price(D("0.123456")), 4) == Price(D("0.1235"))
