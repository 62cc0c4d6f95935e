"""The example tariffs of OCPI 2.2.1 mod_tariffs, as domain objects.

Transcribed field by field from the example files of the spec (github.com/ocpi/ocpi, branch
release-2.2.1-bugfixes, folder examples/); each constant names its file. Display texts and
URLs are left out: they do not take part in pricing.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from shared.billing import (
    DayOfWeek,
    ReservationRestriction,
    Restrictions,
    Tariff,
    TariffElement,
    TariffType,
)
from tests.unit.billing.helpers import ENERGY, FLAT, PARKING, TIME, D, component, price

WEEKDAYS = frozenset(
    {DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY}
)
WEEKEND = frozenset({DayOfWeek.SATURDAY, DayOfWeek.SUNDAY})
RESERVATION = Restrictions(reservation=ReservationRestriction.RESERVATION)
RESERVATION_EXPIRES = Restrictions(reservation=ReservationRestriction.RESERVATION_EXPIRES)


def _one(*components: object, **fields: object) -> Tariff:
    return Tariff(
        elements=(TariffElement(tuple(components)),),  # type: ignore[arg-type]
        **fields,  # type: ignore[arg-type]
    )


# tariff_8_simple_025kwh.json
TARIFF_8 = _one(component(ENERGY, "0.25", "10.0", 1), id="16", currency="EUR")

# tariff_9_025kwh_start.json
TARIFF_9 = _one(
    component(FLAT, "0.50", "20.0", 1),
    component(ENERGY, "0.25", "10.0", 1),
    id="17",
    currency="EUR",
)

# tariff_12_025kwh_min_price.json
TARIFF_12 = _one(
    component(ENERGY, "0.25", "10.0", 1), id="20", currency="EUR", min_price=price("0.50", "0.55")
)

# tariff_10_025kwh_parking_start.json
TARIFF_10 = _one(
    component(FLAT, "0.50", "20.0", 1),
    component(ENERGY, "0.25", "10.0", 1),
    component(PARKING, "2.00", "20.0", 900),
    id="18",
    currency="EUR",
)

# tariff_6_025kwh_start_max_price.json
TARIFF_6 = _one(
    component(FLAT, "0.50", "20.0", 1),
    component(ENERGY, "0.25", "10.0", 1),
    id="16",
    currency="EUR",
    max_price=price("10.00", "11.00"),
    end_date_time=datetime(2019, 6, 30, 23, 59, 59, tzinfo=UTC),
)

# tariff_1_simple_2hour.json
TARIFF_1 = _one(component(TIME, "2.00", "10.0", 60), id="12", currency="EUR")

# tariff_13_simple_3hour_5parking.json
TARIFF_13 = _one(
    component(TIME, "3.00", "10.0", 60),
    component(PARKING, "5.00", "20.0", 300),
    id="21",
    currency="EUR",
)

# tariff_2_alt_text.json
TARIFF_2 = _one(
    component(TIME, "1.90", "5.2", 300), id="12", currency="EUR", type=TariffType.AD_HOC_PAYMENT
)

# tariff_3_alt_url.json
TARIFF_3 = _one(
    component(FLAT, "0.50", "20.0", 1),
    component(ENERGY, "0.25", "10.0", 100),
    id="13",
    currency="EUR",
    type=TariffType.PROFILE_CHEAP,
)

# tariff_put_example.json
TARIFF_PUT = _one(component(TIME, "2.00", "10.0", 300), id="12", currency="EUR")

# tariff_11_not_possible_alt_text.json
TARIFF_11 = _one(
    component(FLAT, "0.40", "25.0", 1),
    component(TIME, "1.90", "5.2", 300),
    id="19",
    currency="EUR",
    type=TariffType.AD_HOC_PAYMENT,
)


def complex_tariff(weekend_time_price: str = "1.25") -> Tariff:
    """tariff_4_complex.json (the weekend TIME price can be varied, see the Saturday test)."""
    return Tariff(
        id="14",
        currency="EUR",
        type=TariffType.REGULAR,
        elements=(
            TariffElement((component(FLAT, "2.50", "15.0", 1),)),
            TariffElement((component(TIME, "1.00", "20.0", 900),), Restrictions(max_current=D(32))),
            TariffElement(
                (component(TIME, "2.00", "20.0", 600),),
                Restrictions(min_current=D(32), day_of_week=WEEKDAYS),
            ),
            TariffElement(
                (component(TIME, weekend_time_price, "20.0", 600),),
                Restrictions(min_current=D(32), day_of_week=WEEKEND),
            ),
            TariffElement(
                (component(PARKING, "5.00", "10.0", 300),),
                Restrictions(start_time=time(9), end_time=time(18), day_of_week=WEEKDAYS),
            ),
            TariffElement(
                (component(PARKING, "6.00", "10.0", 300),),
                Restrictions(
                    start_time=time(10),
                    end_time=time(17),
                    day_of_week=frozenset({DayOfWeek.SATURDAY}),
                ),
            ),
        ),
    )


# tariff_5_free_of_charge.json (its FLAT component has step_size 0)
TARIFF_5 = _one(component(FLAT, "0.00", None, 0), id="15", currency="EUR")

# tariff_15_reservation_5_euro_per_hour.json
TARIFF_15 = Tariff(
    id="20",
    currency="EUR",
    elements=(
        TariffElement((component(TIME, "5.00", "20.0", 60),), RESERVATION),
        TariffElement((component(FLAT, "0.50", "20.0", 1), component(ENERGY, "0.25", "10.0", 1))),
    ),
)

# tariff_16_reservation_2_euro_fee_5_euro_per_hour.json
TARIFF_16 = Tariff(
    id="20",
    currency="EUR",
    elements=(
        TariffElement(
            (component(FLAT, "2.00", "20.0", 1), component(TIME, "5.00", "20.0", 300)), RESERVATION
        ),
        TariffElement((component(FLAT, "0.50", "20.0", 1), component(ENERGY, "0.25", "10.0", 1))),
    ),
)

# tariff_17_reservation_with_expire_fee.json
TARIFF_17 = Tariff(
    id="20",
    currency="EUR",
    elements=(
        TariffElement((component(FLAT, "4.00", "20.0", 1),), RESERVATION_EXPIRES),
        TariffElement((component(TIME, "2.00", "20.0", 600),), RESERVATION),
        TariffElement((component(FLAT, "0.50", "20.0", 1), component(ENERGY, "0.25", "10.0", 1))),
    ),
)

# tariff_18_reservation_with_expire_time.json
TARIFF_18 = Tariff(
    id="20",
    currency="EUR",
    elements=(
        TariffElement((component(TIME, "6.00", "20.0", 600),), RESERVATION_EXPIRES),
        TariffElement((component(TIME, "3.00", "20.0", 600),), RESERVATION),
        TariffElement((component(FLAT, "0.50", "20.0", 1), component(ENERGY, "0.25", "10.0", 1))),
    ),
)

# tariffrestriction_example_max_power.json
TARIFF_MAX_POWER = Tariff(
    id="1",
    currency="EUR",
    type=TariffType.REGULAR,
    elements=(
        TariffElement((component(ENERGY, "0.20", "20.0", 1),), Restrictions(max_power=D(16))),
        TariffElement((component(ENERGY, "0.35", "20.0", 1),), Restrictions(max_power=D(32))),
        TariffElement((component(ENERGY, "0.50", "20.0", 1),)),
    ),
)

# tariffrestriction_example_max_duration.json
TARIFF_MAX_DURATION = Tariff(
    id="2",
    currency="EUR",
    type=TariffType.REGULAR,
    elements=(
        TariffElement((component(ENERGY, "0.00", "20.0", 1),), Restrictions(max_duration=1800)),
        TariffElement((component(ENERGY, "0.25", "20.0", 1),), Restrictions(max_duration=3600)),
        TariffElement((component(ENERGY, "0.40", "20.0", 1),)),
    ),
)

# tariff_14_step_size.json
TARIFF_14 = Tariff(
    id="22",
    currency="EUR",
    elements=(
        TariffElement(
            (component(TIME, "1.20", None, 1800), component(PARKING, "1.00", None, 900)),
            Restrictions(start_time=time(0), end_time=time(17)),
        ),
        TariffElement(
            (component(TIME, "2.40", None, 900), component(PARKING, "1.00", None, 900)),
            Restrictions(start_time=time(17), end_time=time(20)),
        ),
        TariffElement(
            (component(TIME, "2.40", None, 900),),
            Restrictions(start_time=time(20), end_time=time(0)),
        ),
    ),
)
