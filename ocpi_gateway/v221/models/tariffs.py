"""OCPI 2.2.1 *Tariffs* module (mod_tariffs).

Tariffs have no PATCH in 2.2.1 (PUT and DELETE only), so no patch model.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from .base import OcpiEnum, OcpiModel
from .common import DisplayText, Price
from .location_classes import TIME_OF_DAY_PATTERN, EnergyMix
from .primitives import (
    URL,
    CiString2,
    CiString3,
    CiString36,
    DateTime,
    Int,
    Number,
    String3,
    string_with,
)

__all__ = [
    "DayOfWeek",
    "PriceComponent",
    "ReservationRestrictionType",
    "Tariff",
    "TariffDimensionType",
    "TariffElement",
    "TariffRestrictions",
    "TariffType",
]

#: TariffRestrictions: the pattern of start_date's table; end_date has the
#: same syntax.
DATE_PATTERN = r"([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"

TimeOfDay = Annotated[str, string_with("string", 5, TIME_OF_DAY_PATTERN)]
LocalDate = Annotated[str, string_with("string", 10, DATE_PATTERN)]


class DayOfWeek(OcpiEnum):
    """*DayOfWeek* enum."""

    MONDAY = "MONDAY"
    TUESDAY = "TUESDAY"
    WEDNESDAY = "WEDNESDAY"
    THURSDAY = "THURSDAY"
    FRIDAY = "FRIDAY"
    SATURDAY = "SATURDAY"
    SUNDAY = "SUNDAY"


class ReservationRestrictionType(OcpiEnum):
    """*ReservationRestrictionType* enum."""

    RESERVATION = "RESERVATION"
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"


class TariffDimensionType(OcpiEnum):
    """*TariffDimensionType* enum: what a price component prices."""

    ENERGY = "ENERGY"
    FLAT = "FLAT"
    PARKING_TIME = "PARKING_TIME"
    TIME = "TIME"


class TariffType(OcpiEnum):
    """*TariffType* enum."""

    AD_HOC_PAYMENT = "AD_HOC_PAYMENT"
    PROFILE_CHEAP = "PROFILE_CHEAP"
    PROFILE_FAST = "PROFILE_FAST"
    PROFILE_GREEN = "PROFILE_GREEN"
    REGULAR = "REGULAR"


class PriceComponent(OcpiModel):
    """*PriceComponent* class: the price of one dimension."""

    type: TariffDimensionType
    """What is priced."""
    price: Number
    """Price per unit without VAT."""
    vat: Number | None = None
    """VAT percentage; absent means no VAT applies (not the same as 0)."""
    step_size: Int
    """Billing block size, in the dimension's step_size multiplier."""


class TariffRestrictions(OcpiModel):
    """*TariffRestrictions* class: when a TariffElement is active (logical AND)."""

    start_time: TimeOfDay | None = None
    """Local time of day from which the element applies, ``HH:MM``."""
    end_time: TimeOfDay | None = None
    """End time of day in local time; before `start_time` wraps to next day."""
    start_date: LocalDate | None = None
    """First local date on which the element applies, ``YYYY-MM-DD``."""
    end_date: LocalDate | None = None
    """Local date from which it no longer applies, ``YYYY-MM-DD``."""
    min_kwh: Number | None = None
    """Applies once this many kWh have been used (inclusive)."""
    max_kwh: Number | None = None
    """Applies until this many kWh have been used (exclusive)."""
    min_current: Number | None = None
    """Active from this total current (all phases, A) up."""
    max_current: Number | None = None
    """Active below this total current (all phases, A)."""
    min_power: Number | None = None
    """Minimum power in kW."""
    max_power: Number | None = None
    """Maximum power in kW."""
    min_duration: Int | None = None
    """Minimum duration of the session in seconds (inclusive)."""
    max_duration: Int | None = None
    """Maximum duration of the session in seconds (exclusive)."""
    day_of_week: list[DayOfWeek] | None = None
    """Weekdays on which the element applies."""
    reservation: ReservationRestrictionType | None = None
    """Set for elements that price a reservation."""


class TariffElement(OcpiModel):
    """*TariffElement* class: price components sharing one set of restrictions."""

    price_components: Annotated[list[PriceComponent], Field(min_length=1)]
    """How each dimension is priced."""
    restrictions: TariffRestrictions | None = None
    """When these price components apply."""

    @model_validator(mode="after")
    def _reservation_dimensions(self) -> Self:
        # TariffRestrictions, reservation: reservation costs are priced with
        # FLAT and TIME dimensions only.
        if self.restrictions is not None and self.restrictions.reservation is not None:
            allowed = {TariffDimensionType.FLAT, TariffDimensionType.TIME}
            for component in self.price_components:
                if component.type not in allowed:
                    raise ValueError(
                        f"a reservation element can only price FLAT and TIME, not {component.type}"
                    )
        return self


class Tariff(OcpiModel):
    """*Tariff* object: a CPO's price list for charging."""

    country_code: CiString2
    """Country (ISO 3166 alpha-2) of the CPO owning the tariff."""
    party_id: CiString3
    """ID of the CPO that owns this Tariff (ISO-15118)."""
    id: CiString36
    """Tariff ID, unique at the CPO."""
    currency: String3
    """Currency of the prices (ISO 4217)."""
    type: TariffType | None = None
    """Type of the tariff; absent means valid for all sessions."""
    tariff_alt_text: list[DisplayText] | None = None
    """Multi-language alternative tariff info texts."""
    tariff_alt_url: URL | None = None
    """Web page explaining the tariff in human readable form."""
    min_price: Price | None = None
    """A session with this tariff costs at least this amount."""
    max_price: Price | None = None
    """A session with this tariff costs at most this amount."""
    elements: Annotated[list[TariffElement], Field(min_length=1)]
    """The tariff elements; the first matching element per dimension applies."""
    start_date_time: DateTime | None = None
    """From when the tariff applies (UTC)."""
    end_date_time: DateTime | None = None
    """Until when the tariff applies (UTC)."""
    energy_mix: EnergyMix | None = None
    """The energy sold under this tariff."""
    last_updated: DateTime
    """When the tariff was created or last changed."""
