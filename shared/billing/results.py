"""What the tariff engine returns: a priced session with its charging periods.

Quantities are in the units of OCPI's CdrDimensionType (mod_cdrs): energy in kWh, durations
in hours, power in kW, current in A. Amounts are exact `Decimal`s in the tariff's currency;
the spec deliberately leaves money rounding to law and contract (mod_tariffs, note under the
Tariff object), so rounding for display or for the wire is the caller's (`round_price`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from shared.billing.tariff import Price, PriceComponent, TariffDimension
from shared.billing.usage import UsageState

__all__ = [
    "ChargingPeriod",
    "DimensionCharge",
    "PeriodDimension",
    "PricedSession",
    "round_price",
    "sum_prices",
]

_ZERO = Decimal(0)


class PeriodDimension(StrEnum):
    """What a charging period reports (the CDR subset of mod_cdrs, CdrDimensionType).

    A FLAT fee is no dimension in OCPI 2.2.1; it shows only as a `DimensionCharge`.
    """

    ENERGY = "ENERGY"  # kWh
    TIME = "TIME"  # hours charging
    PARKING_TIME = "PARKING_TIME"  # hours not charging
    RESERVATION_TIME = "RESERVATION_TIME"  # hours reserved before the session
    MIN_CURRENT = "MIN_CURRENT"  # A, summed over phases
    MAX_CURRENT = "MAX_CURRENT"
    MIN_POWER = "MIN_POWER"  # kW
    MAX_POWER = "MAX_POWER"


@dataclass(frozen=True, slots=True)
class DimensionCharge:
    """One dimension billed in one period, with the component and element that priced it.

    `volume` is what was measured (kWh, hours, or 1 for a FLAT fee); `billed_volume` adds
    the step_size round-up, which the spec puts on the last period of the dimension.
    `reservation` marks charges for the reservation rather than the session.
    """

    dimension: TariffDimension
    element_index: int
    component: PriceComponent
    volume: Decimal
    billed_volume: Decimal
    cost: Price
    reservation: bool = False


@dataclass(frozen=True, slots=True)
class ChargingPeriod:
    """A stretch of the usage during which one component per dimension was active.

    `time_hours` is charging time, `parking_time_hours` time not charging, and
    `reservation_time_hours` time the EVSE was reserved before the session; exactly one of
    them is the period's length, following `state`. The min/max values are those observed
    (reported, or average power where the charger reported none); `None` when unknown.
    `elements` lists, per dimension, the index of the tariff element that was active.
    """

    start: datetime
    end: datetime
    state: UsageState
    energy_kwh: Decimal
    time_hours: Decimal
    parking_time_hours: Decimal
    reservation_time_hours: Decimal
    min_current_a: Decimal | None
    max_current_a: Decimal | None
    min_power_kw: Decimal | None
    max_power_kw: Decimal | None
    elements: tuple[tuple[TariffDimension, int], ...]
    charges: tuple[DimensionCharge, ...]

    @property
    def cost(self) -> Price:
        """Sum of this period's charges."""
        return sum_prices(c.cost for c in self.charges)

    @property
    def dimensions(self) -> tuple[tuple[PeriodDimension, Decimal], ...]:
        """The period's measured values that apply to its state, as (dimension, volume)."""
        if self.state is UsageState.RESERVED:
            found = [(PeriodDimension.RESERVATION_TIME, self.reservation_time_hours)]
        elif self.state is UsageState.CHARGING:
            found = [
                (PeriodDimension.ENERGY, self.energy_kwh),
                (PeriodDimension.TIME, self.time_hours),
            ]
        else:
            found = [
                (PeriodDimension.ENERGY, self.energy_kwh),
                (PeriodDimension.PARKING_TIME, self.parking_time_hours),
            ]
        observed = (
            (PeriodDimension.MIN_CURRENT, self.min_current_a),
            (PeriodDimension.MAX_CURRENT, self.max_current_a),
            (PeriodDimension.MIN_POWER, self.min_power_kw),
            (PeriodDimension.MAX_POWER, self.max_power_kw),
        )
        found.extend((d, v) for d, v in observed if v is not None)
        return tuple(found)

    def element_for(self, dimension: TariffDimension) -> int | None:
        """Index of the element that priced `dimension` in this period, if any did."""
        return next((index for d, index in self.elements if d is dimension), None)


@dataclass(frozen=True, slots=True)
class PricedSession:
    """The priced usage: periods, measured totals, costs per dimension, and the total.

    The per-dimension totals are before `min_price`/`max_price`; `total_cost` is after.
    `uncapped_cost` is the plain sum, so `total_cost != uncapped_cost` tells whether a
    limit applied. `total_time_hours` covers the session from its start to its end,
    charging and parking (mod_cdrs, CDR `total_time`), but not the reservation before it.
    """

    tariff_id: str
    currency: str
    start: datetime
    end: datetime
    periods: tuple[ChargingPeriod, ...]
    total_energy_kwh: Decimal
    total_time_hours: Decimal
    total_parking_time_hours: Decimal
    total_reservation_time_hours: Decimal
    total_energy_cost: Price
    total_time_cost: Price
    total_parking_cost: Price
    total_fixed_cost: Price
    total_reservation_cost: Price
    uncapped_cost: Price
    total_cost: Price

    @property
    def total_charging_time_hours(self) -> Decimal:
        """Time spent charging: total time minus parking time (mod_cdrs, CDR note)."""
        return self.total_time_hours - self.total_parking_time_hours

    @property
    def charges(self) -> tuple[DimensionCharge, ...]:
        """Every charge of every period, in order."""
        return tuple(c for p in self.periods for c in p.charges)


def sum_prices(prices: Iterable[Price]) -> Price:
    """The sum of `prices`, starting from zero including and excluding VAT."""
    total = Price(_ZERO, _ZERO)
    for price in prices:
        total = total + price
    return total


def round_price(price: Price, places: int = 2, rounding: str = ROUND_HALF_UP) -> Price:
    """`price` rounded to `places` decimals (for display or an invoice; never mid-pricing)."""
    quantum = Decimal(1).scaleb(-places)
    incl = None if price.incl_vat is None else price.incl_vat.quantize(quantum, rounding)
    return Price(price.excl_vat.quantize(quantum, rounding), incl)
