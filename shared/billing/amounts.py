"""Rounding amounts and quantities for records people and partners read.

The engine keeps exact amounts (`shared.billing.results`); OCPI leaves rounding to law and
contract (mod_tariffs, note under the Tariff object). We round once, when an amount leaves
billing for a CDR, a session's running cost or an export: money to the currency's minor
unit (ISO 4217), half up as invoices do; energy to the Wh; durations to the millisecond.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from shared.billing.results import round_price
from shared.billing.tariff import Price

__all__ = ["currency_places", "round_hours", "round_kwh", "round_money", "round_price_in"]

# ISO 4217 currencies whose minor unit is not the cent.
_PLACES = {
    "BHD": 3, "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3, "ISK": 0, "JOD": 3, "JPY": 0,
    "KMF": 0, "KRW": 0, "KWD": 3, "LYD": 3, "OMR": 3, "PYG": 0, "RWF": 0, "TND": 3, "UGX": 0,
    "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
}  # fmt: skip

_WH = Decimal("0.001")
_HOURS = Decimal("0.0001")  # OCPI numbers carry 4 decimals (0.36 s)


def currency_places(currency: str) -> int:
    """Decimal places of the currency's minor unit (2 unless ISO 4217 says otherwise)."""
    return _PLACES.get(currency.upper(), 2)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """`amount` in whole minor units of `currency`, half up."""
    return amount.quantize(Decimal(1).scaleb(-currency_places(currency)), ROUND_HALF_UP)


def round_price_in(price: Price, currency: str) -> Price:
    """`price` (both sides) in whole minor units of `currency`."""
    return round_price(price, currency_places(currency))


def round_kwh(kwh: Decimal) -> Decimal:
    """Energy to the Wh."""
    return kwh.quantize(_WH, ROUND_HALF_UP)


def round_hours(hours: Decimal) -> Decimal:
    """A duration in hours to OCPI's four places (transport_and_format: number)."""
    return hours.quantize(_HOURS, ROUND_HALF_UP)
