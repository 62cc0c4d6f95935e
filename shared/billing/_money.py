"""Exact amounts while pricing: rational until the result is handed out.

A cost per hour times seconds over 3600 is often not a finite decimal (17 minutes at € 1/h is
€ 0.28333…). Summing such amounts as `Decimal`s leaves noise in the last digit, and an exact
half cent that came out as 0.12499…9 would round the wrong way on an invoice. Costs are
therefore added up as `Fraction`s and turned into `Decimal`s once, at 34 significant digits,
which is exact whenever the true amount is a finite decimal of that length.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from shared.billing._numbers import PRICING_CONTEXT
from shared.billing.tariff import Price, PriceComponent, TariffDimension

__all__ = ["UNITS", "ExactPrice", "charge_cost", "exact_sum", "limit"]

# Units in which quantities are measured and step_size counts, per unit priced.
UNITS = {
    TariffDimension.ENERGY: Decimal(1000),  # Wh per kWh
    TariffDimension.TIME: Decimal(3600),  # seconds per hour
    TariffDimension.PARKING_TIME: Decimal(3600),
    TariffDimension.FLAT: Decimal(1),
}


@dataclass(frozen=True, slots=True)
class ExactPrice:
    """An amount excl. and incl. VAT, as exact fractions."""

    excl: Fraction
    incl: Fraction

    def __add__(self, other: ExactPrice) -> ExactPrice:
        return ExactPrice(self.excl + other.excl, self.incl + other.incl)

    def to_price(self) -> Price:
        """The amount as a `Price` of Decimals (exact when the amount is a finite decimal)."""
        return Price(_decimal(self.excl), _decimal(self.incl))


_ZERO = ExactPrice(Fraction(0), Fraction(0))


def _decimal(value: Fraction) -> Decimal:
    return PRICING_CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator))


def exact_sum(prices: Iterable[ExactPrice]) -> ExactPrice:
    """The sum of `prices` (zero for none)."""
    total = _ZERO
    for price in prices:
        total = total + price
    return total


def charge_cost(component: PriceComponent, billed: Decimal) -> ExactPrice:
    """What `billed` units (Wh, seconds, or 1 fee) cost under `component`, VAT added.

    An absent `vat` means no VAT applies (mod_tariffs, PriceComponent), so incl. = excl.
    """
    excl = Fraction(component.price) * Fraction(billed) / Fraction(UNITS[component.type])
    if component.vat is None:
        return ExactPrice(excl, excl)
    return ExactPrice(excl, excl * (100 + Fraction(component.vat)) / 100)


def limit(total: ExactPrice, low: Price | None, high: Price | None) -> ExactPrice:
    """`total` held between `min_price` and `max_price`, excl. and incl. VAT each on its own
    (mod_tariffs, notes on min_price and max_price)."""
    excl, incl = total.excl, total.incl
    if low is not None:
        excl = max(excl, Fraction(low.excl_vat))
        incl = incl if low.incl_vat is None else max(incl, Fraction(low.incl_vat))
    if high is not None:
        excl = min(excl, Fraction(high.excl_vat))
        incl = incl if high.incl_vat is None else min(incl, Fraction(high.incl_vat))
    # A limit given without its incl. VAT side must not leave incl. VAT below excl. VAT.
    return ExactPrice(excl, max(incl, excl))
