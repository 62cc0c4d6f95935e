"""Building usages and tariffs for the billing tests without repeating boilerplate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from shared.billing import (
    Price,
    PriceComponent,
    PricedSession,
    SessionUsage,
    TariffDimension,
    UsageSample,
    UsageState,
)

D = Decimal
ENERGY = TariffDimension.ENERGY
FLAT = TariffDimension.FLAT
TIME = TariffDimension.TIME
PARKING = TariffDimension.PARKING_TIME
CHARGING = UsageState.CHARGING
PARKED = UsageState.PARKED
RESERVED = UsageState.RESERVED


@dataclass(frozen=True)
class Leg:
    """A stretch of a test session: how long, in which state, and what it delivered."""

    minutes: Decimal | int
    state: UsageState = UsageState.CHARGING
    energy_wh: Decimal | int = 0
    power_w: Decimal | int | None = None
    current_a: Decimal | int | None = None


def local(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock instant in `zone`."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def build_usage(
    zone: str,
    start: datetime,
    legs: Sequence[Leg],
    *,
    expired: bool = False,
    register_start: Decimal | int = 1_000_000,
) -> SessionUsage:
    """A usage with one sample at the start of each leg and one at the end.

    The register starts at a non-zero value on purpose: only differences may matter.
    """
    samples = []
    moment = start.astimezone(UTC)  # add real time, not wall-clock time, across DST
    register = D(register_start)
    for leg in legs:
        samples.append(
            UsageSample(
                timestamp=moment,
                energy_wh=register,
                state=leg.state,
                power_w=None if leg.power_w is None else D(leg.power_w),
                current_a=None if leg.current_a is None else D(leg.current_a),
            )
        )
        moment += timedelta(microseconds=int(D(leg.minutes) * 60_000_000))
        register += D(leg.energy_wh)
    last_state = legs[-1].state
    samples.append(UsageSample(timestamp=moment, energy_wh=register, state=last_state))
    return SessionUsage(
        start=start, end=moment, time_zone=zone, samples=tuple(samples), reservation_expired=expired
    )


def component(
    dimension: TariffDimension, price: str, vat: str | None = None, step: int = 1
) -> PriceComponent:
    """A price component from string amounts (exact)."""
    return PriceComponent(dimension, D(price), None if vat is None else D(vat), step)


def price(excl: str, incl: str | None = None) -> Price:
    """A price from string amounts (exact)."""
    return Price(D(excl), None if incl is None else D(incl))


def charges_of(priced: PricedSession, dimension: TariffDimension) -> list[tuple[Decimal, Decimal]]:
    """(billed volume, cost excl. VAT) of each charge of `dimension`, in order."""
    return [(c.billed_volume, c.cost.excl_vat) for c in priced.charges if c.dimension is dimension]


def minutes(hours: Decimal) -> Decimal:
    """Hours as minutes, rounded to 6 places to absorb the inexact division by 3600."""
    return (hours * 60).quantize(D("0.000001"))
