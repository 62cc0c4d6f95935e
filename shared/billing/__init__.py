"""The tariff engine: OCPI 2.2.1 tariff semantics over protocol-free domain types.

Build a `Tariff` (the OCPI gateway maps its wire model onto it), describe what a session
used as a `SessionUsage` (the store builds it from meter values and status), and call
`price_session` for a `PricedSession` with charging periods, totals and costs, or
`running_cost` for the cost so far of an active session. `SessionPricer` does the same one
sample at a time. Nothing here reads or writes JSON.
"""

from __future__ import annotations

from shared.billing.errors import BillingError, TariffError, UsageError
from shared.billing.pricing import SessionPricer, price_session, running_cost
from shared.billing.results import (
    ChargingPeriod,
    DimensionCharge,
    PeriodDimension,
    PricedSession,
    round_price,
    sum_prices,
)
from shared.billing.tariff import (
    DayOfWeek,
    Price,
    PriceComponent,
    ReservationRestriction,
    Restrictions,
    Tariff,
    TariffDimension,
    TariffElement,
    TariffType,
    select_tariff,
)
from shared.billing.usage import SessionUsage, UsageSample, UsageState

__all__ = [
    "BillingError",
    "ChargingPeriod",
    "DayOfWeek",
    "DimensionCharge",
    "PeriodDimension",
    "Price",
    "PriceComponent",
    "PricedSession",
    "ReservationRestriction",
    "Restrictions",
    "SessionPricer",
    "SessionUsage",
    "Tariff",
    "TariffDimension",
    "TariffElement",
    "TariffError",
    "TariffType",
    "UsageError",
    "UsageSample",
    "UsageState",
    "price_session",
    "round_price",
    "running_cost",
    "select_tariff",
    "sum_prices",
]
