"""Tariff domain types: what a session is priced with.

These mirror the structure of an OCPI 2.2.1 Tariff (mod_tariffs, "Tariff Object",
"TariffElement class", "PriceComponent class", "TariffRestrictions class") without its wire
format: times of day are `datetime.time`, dates are `datetime.date`, amounts are `Decimal`,
timestamps are timezone-aware. The OCPI gateway maps its pydantic models onto these.

Every value is checked when the object is built, so the pricing code can trust it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from shared.billing._numbers import decimal_field, optional_decimal_field
from shared.billing.errors import TariffError

__all__ = [
    "DayOfWeek",
    "Price",
    "PriceComponent",
    "ReservationRestriction",
    "Restrictions",
    "Tariff",
    "TariffDimension",
    "TariffElement",
    "TariffType",
    "select_tariff",
]


class TariffDimension(StrEnum):
    """What a price component charges for (mod_tariffs, TariffDimensionType)."""

    ENERGY = "ENERGY"  # per kWh; step_size counts Wh
    FLAT = "FLAT"  # a fixed fee; no step_size
    PARKING_TIME = "PARKING_TIME"  # per hour of not charging; step_size counts seconds
    TIME = "TIME"  # per hour of charging (or of reservation); step_size counts seconds


class DayOfWeek(StrEnum):
    """Days for the `day_of_week` restriction (mod_tariffs, DayOfWeek)."""

    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"

    @classmethod
    def of(cls, day: date) -> DayOfWeek:
        """The day of the week `day` falls on."""
        return _WEEK[day.isoweekday() - 1]


_WEEK = tuple(DayOfWeek)


class ReservationRestriction(StrEnum):
    """Marks an element as pricing a reservation (mod_tariffs, ReservationRestrictionType)."""

    RESERVATION = "RESERVATION"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"


class TariffType(StrEnum):
    """Which kind of session a tariff is meant for (mod_tariffs, TariffType)."""

    AD_HOC_PAYMENT = "AD_HOC_PAYMENT"
    PROFILE_CHEAP = "PROFILE_CHEAP"
    PROFILE_FAST = "PROFILE_FAST"
    PROFILE_GREEN = "PROFILE_GREEN"
    REGULAR = "REGULAR"


@dataclass(frozen=True, slots=True)
class Price:
    """An amount excluding VAT and, when known, including VAT (types, Price class)."""

    excl_vat: Decimal
    incl_vat: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "excl_vat", decimal_field(self.excl_vat, "excl_vat"))
        object.__setattr__(self, "incl_vat", optional_decimal_field(self.incl_vat, "incl_vat"))

    def __add__(self, other: Price) -> Price:
        """Sum of two prices; the VAT-inclusive part is known only if it is known in both."""
        if self.incl_vat is None or other.incl_vat is None:
            return Price(self.excl_vat + other.excl_vat)
        return Price(self.excl_vat + other.excl_vat, self.incl_vat + other.incl_vat)


@dataclass(frozen=True, slots=True)
class PriceComponent:
    """How one dimension is priced (mod_tariffs, PriceComponent class).

    `price` is per unit (kWh, hour, or per fee) excluding VAT. `vat` is a percentage; `None`
    means no VAT applies to this component, which is not the same as 0 % (the spec says so
    explicitly): either way the VAT-inclusive amount equals the exclusive one. `step_size`
    counts Wh for ENERGY and seconds for TIME/PARKING_TIME; 0 bills the exact amount.
    """

    type: TariffDimension
    price: Decimal
    vat: Decimal | None = None
    step_size: int = 1

    def __post_init__(self) -> None:
        price = decimal_field(self.price, "price")
        vat = optional_decimal_field(self.vat, "vat")
        if price < 0:
            raise TariffError(f"{self.type} price must not be negative, got {price}")
        if vat is not None and vat < 0:
            raise TariffError(f"{self.type} vat must not be negative, got {vat}")
        if isinstance(self.step_size, bool) or not isinstance(self.step_size, int):
            raise TypeError(f"step_size must be an int, got {type(self.step_size).__name__}")
        if self.step_size < 0:
            raise TariffError(f"{self.type} step_size must not be negative")
        object.__setattr__(self, "type", TariffDimension(self.type))
        object.__setattr__(self, "price", price)
        object.__setattr__(self, "vat", vat)


@dataclass(frozen=True, slots=True)
class Restrictions:
    """When an element is active (mod_tariffs, TariffRestrictions class); all set fields AND.

    Bounds follow the spec: `start_*`/`min_*` are inclusive, `end_*`/`max_*` exclusive.
    Times of day and dates are wall-clock values in the location's time zone; `end_time`
    before `start_time` wraps past midnight and an `end_time` of 00:00 means end of day.
    Energy in kWh, power in kW, current in A (summed over phases), durations in seconds
    counted from the start of the session (or of the reservation, for reservation elements).
    """

    start_time: time | None = None
    end_time: time | None = None
    start_date: date | None = None
    end_date: date | None = None
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_current: Decimal | None = None
    max_current: Decimal | None = None
    min_power: Decimal | None = None
    max_power: Decimal | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    day_of_week: frozenset[DayOfWeek] = field(default_factory=frozenset)
    reservation: ReservationRestriction | None = None

    def __post_init__(self) -> None:
        for name in ("start_time", "end_time"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, time) or value.tzinfo is not None):
                raise TariffError(f"{name} must be a naive local time of day")
        for name in ("min_kwh", "max_kwh", "min_current", "max_current", "min_power", "max_power"):
            value = optional_decimal_field(getattr(self, name), name)
            if value is not None and value < 0:
                raise TariffError(f"{name} must not be negative, got {value}")
            object.__setattr__(self, name, value)
        for name in ("min_duration", "max_duration"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise TypeError(f"{name} must be an int number of seconds")
            if value is not None and value < 0:
                raise TariffError(f"{name} must not be negative, got {value}")
        days = frozenset(DayOfWeek(day) for day in self.day_of_week)
        object.__setattr__(self, "day_of_week", days)
        if self.reservation is not None:
            object.__setattr__(self, "reservation", ReservationRestriction(self.reservation))

    @property
    def uses_calendar(self) -> bool:
        """True when the element depends on the local wall clock or calendar."""
        bounds = (self.start_time, self.end_time, self.start_date, self.end_date)
        return any(value is not None for value in bounds) or bool(self.day_of_week)


# Reservation elements can only price a reservation's duration and a fee
# (mod_tariffs, TariffRestrictions `reservation`).
_RESERVATION_DIMENSIONS = frozenset({TariffDimension.FLAT, TariffDimension.TIME})


@dataclass(frozen=True, slots=True)
class TariffElement:
    """Price components that share one set of restrictions (mod_tariffs, TariffElement)."""

    price_components: tuple[PriceComponent, ...]
    restrictions: Restrictions | None = None

    def __post_init__(self) -> None:
        components = tuple(self.price_components)
        if not components:
            raise TariffError("a tariff element needs at least one price component")
        reserved = self.restrictions is not None and self.restrictions.reservation is not None
        if reserved and any(c.type not in _RESERVATION_DIMENSIONS for c in components):
            raise TariffError("a reservation element may only have FLAT and TIME components")
        object.__setattr__(self, "price_components", components)

    def component(self, dimension: TariffDimension) -> PriceComponent | None:
        """This element's first component for `dimension`, if it has one."""
        return next((c for c in self.price_components if c.type is dimension), None)


@dataclass(frozen=True, slots=True)
class Tariff:
    """A tariff as the CPO publishes it (mod_tariffs, Tariff Object), minus display texts.

    `start_date_time`/`end_date_time` bound when the tariff may be chosen for a new session
    (see `select_tariff`); a session keeps the tariff it started with, as the spec advises.
    """

    id: str
    currency: str
    elements: tuple[TariffElement, ...]
    min_price: Price | None = None
    max_price: Price | None = None
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None
    type: TariffType | None = None

    def __post_init__(self) -> None:
        elements = tuple(self.elements)
        if not elements:
            raise TariffError(f"tariff {self.id!r} needs at least one element")
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise TariffError(f"tariff {self.id!r}: currency must be an ISO 4217 code")
        for name in ("start_date_time", "end_date_time"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise TariffError(f"tariff {self.id!r}: {name} must be timezone-aware")
        _check_price_limits(self.id, self.min_price, self.max_price)
        object.__setattr__(self, "elements", elements)
        if self.type is not None:
            object.__setattr__(self, "type", TariffType(self.type))

    def is_valid_at(self, moment: datetime) -> bool:
        """True when `moment` lies within `start_date_time` … `end_date_time` (inclusive)."""
        if self.start_date_time is not None and moment < self.start_date_time:
            return False
        return self.end_date_time is None or moment <= self.end_date_time


def _check_price_limits(tariff_id: str, low: Price | None, high: Price | None) -> None:
    for name, limit in (("min_price", low), ("max_price", high)):
        if limit is None:
            continue
        if limit.excl_vat < 0:
            raise TariffError(f"tariff {tariff_id!r}: {name} must not be negative")
        if limit.incl_vat is not None and limit.incl_vat < limit.excl_vat:
            raise TariffError(f"tariff {tariff_id!r}: {name} incl_vat is below excl_vat")
    if low is None or high is None:
        return
    if low.excl_vat > high.excl_vat or (
        low.incl_vat is not None and high.incl_vat is not None and low.incl_vat > high.incl_vat
    ):
        raise TariffError(f"tariff {tariff_id!r}: min_price is above max_price")


def select_tariff(
    tariffs: Iterable[Tariff], moment: datetime, tariff_type: TariffType | None = None
) -> Tariff | None:
    """The tariff to price a session starting at `moment` with, from a connector's list.

    Only tariffs valid at `moment` are considered. A tariff whose `type` equals `tariff_type`
    wins over one without a type (valid for all sessions, per mod_tariffs); among equals the
    list order decides. With no `tariff_type`, REGULAR counts as the session's kind (a plain
    RFID session without charging preferences).
    """
    wanted = tariff_type or TariffType.REGULAR
    valid = [t for t in tariffs if t.is_valid_at(moment)]
    exact = [t for t in valid if t.type is wanted]
    if exact:
        return exact[0]
    untyped = [t for t in valid if t.type is None]
    return untyped[0] if untyped else None
