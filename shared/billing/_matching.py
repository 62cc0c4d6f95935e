"""Which tariff element prices each dimension at a given moment.

mod_tariffs, Tariff Object: for each dimension on its own, the active price component is the
one in the first element (in list order) that has a component for that dimension and whose
restrictions all match. Different dimensions may therefore come from different elements, and
a dimension with no matching element is free.

Reservations (mod_tariffs, TariffRestrictions `reservation` and ReservationRestrictionType):
elements with a `reservation` restriction price the reservation only; elements without one
price the charging session only. For a reservation that expired unused, RESERVATION_EXPIRES
elements come before RESERVATION elements, so an expiry price wins over the ordinary
reservation price for the same dimension (the note under ReservationRestrictionType), and a
dimension the expiry elements do not price (tariff example 17's TIME) falls back to the
RESERVATION elements.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from enum import Enum

from shared.billing.tariff import (
    DayOfWeek,
    PriceComponent,
    ReservationRestriction,
    Restrictions,
    Tariff,
    TariffDimension,
)
from shared.billing.usage import UsageState

__all__ = ["BILLED_DIMENSIONS", "ElementSelector", "Moment", "Phase", "restrictions_match"]

_MIDNIGHT = time(0, 0)


class Phase(Enum):
    """The two stretches a usage can have, priced by disjoint sets of elements."""

    RESERVATION = "reservation"
    SESSION = "session"


# The dimensions that can accrue in each state. TIME is charging time (or reservation time);
# PARKING_TIME is time the vehicle does not request power; reservations carry only FLAT and
# TIME (mod_tariffs, TariffDimensionType and the `reservation` restriction).
BILLED_DIMENSIONS: dict[UsageState, tuple[TariffDimension, ...]] = {
    UsageState.RESERVED: (TariffDimension.FLAT, TariffDimension.TIME),
    UsageState.CHARGING: (TariffDimension.FLAT, TariffDimension.ENERGY, TariffDimension.TIME),
    UsageState.PARKED: (
        TariffDimension.FLAT,
        TariffDimension.ENERGY,
        TariffDimension.PARKING_TIME,
    ),
}


@dataclass(frozen=True, slots=True)
class Moment:
    """Everything a restriction can look at, at one instant."""

    local: datetime  # wall clock in the location's zone
    elapsed_s: Decimal  # seconds since the start of the phase
    energy_kwh: Decimal  # energy since the start of the session
    power_kw: Decimal | None
    current_a: Decimal | None


def restrictions_match(restrictions: Restrictions | None, moment: Moment) -> bool:
    """True when every restriction that is set holds at `moment` (a logical AND)."""
    if restrictions is None:
        return True
    r = restrictions
    return (
        _time_of_day_matches(r.start_time, r.end_time, moment.local.time())
        and _dates_match(r, moment.local)
        and (not r.day_of_week or DayOfWeek.of(moment.local.date()) in r.day_of_week)
        and _within(moment.energy_kwh, r.min_kwh, r.max_kwh)
        and _within(moment.elapsed_s, _dec(r.min_duration), _dec(r.max_duration))
        and _within(moment.power_kw, r.min_power, r.max_power)
        and _within(moment.current_a, r.min_current, r.max_current)
    )


def _time_of_day_matches(start: time | None, end: time | None, wall: time) -> bool:
    if start is None and end is None:
        return True
    low = start or _MIDNIGHT
    if end is None or end == _MIDNIGHT:  # an end_time of 00:00 means "until end of day"
        return wall >= low
    if low < end:
        return low <= wall < end
    if low > end:  # end before start: the window wraps past midnight
        return wall >= low or wall < end
    return True  # equal start and end: the window goes all the way round


def _dates_match(r: Restrictions, local: datetime) -> bool:
    today = local.date()
    if r.start_date is not None and today < r.start_date:
        return False
    return r.end_date is None or today < r.end_date


def _within(value: Decimal | None, low: Decimal | None, high: Decimal | None) -> bool:
    """`low` inclusive, `high` exclusive; an unknown value satisfies no bound."""
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value < high)


def _dec(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


_Candidate = tuple[int, PriceComponent, Restrictions | None]


class ElementSelector:
    """Looks up the active element per dimension for one phase of one tariff."""

    def __init__(self, tariff: Tariff, phase: Phase, reservation_expired: bool) -> None:
        self._candidates: dict[TariffDimension, list[_Candidate]] = {d: [] for d in TariffDimension}
        for index in _element_order(tariff, phase, reservation_expired):
            element = tariff.elements[index]
            for dimension in TariffDimension:
                component = element.component(dimension)
                if component is not None:
                    self._candidates[dimension].append((index, component, element.restrictions))

    def active(
        self, state: UsageState, moment: Moment
    ) -> tuple[tuple[TariffDimension, int, PriceComponent], ...]:
        """(dimension, element index, component) for each dimension priced at `moment`."""
        found: list[tuple[TariffDimension, int, PriceComponent]] = []
        for dimension in BILLED_DIMENSIONS[state]:
            for index, component, restrictions in self._candidates[dimension]:
                if restrictions_match(restrictions, moment):
                    found.append((dimension, index, component))
                    break
        return tuple(found)


def _element_order(tariff: Tariff, phase: Phase, expired: bool) -> list[int]:
    def kind(index: int) -> ReservationRestriction | None:
        restrictions = tariff.elements[index].restrictions
        return None if restrictions is None else restrictions.reservation

    indices = range(len(tariff.elements))
    if phase is Phase.SESSION:
        return [i for i in indices if kind(i) is None]
    expiry = [i for i in indices if kind(i) is ReservationRestriction.RESERVATION_EXPIRES]
    reserved = [i for i in indices if kind(i) is ReservationRestriction.RESERVATION]
    return expiry + reserved if expired else reserved
