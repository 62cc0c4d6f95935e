"""Errors of the tariff engine.

Everything raised on purpose by `shared.billing` derives from `BillingError`::

    BillingError (Exception)
     ├── TariffError (also ValueError)   a tariff that cannot be priced: a negative price, a
     │                                   step_size below zero, a reservation element with an
     │                                   ENERGY component, min_price above max_price, …
     └── UsageError  (also ValueError)   a session usage that is inconsistent: samples out of
                                         order, a meter register that goes backwards, an
                                         unknown time zone, a naive datetime, …

A float where a `Decimal` is required is a programming error, not bad data: it raises
`TypeError` naming the field.
"""

from __future__ import annotations

__all__ = ["BillingError", "TariffError", "UsageError"]


class BillingError(Exception):
    """Base class of every error the tariff engine raises on purpose."""


class TariffError(BillingError, ValueError):
    """The tariff holds a value the engine cannot price with."""


class UsageError(BillingError, ValueError):
    """The session usage is inconsistent and cannot be priced."""
