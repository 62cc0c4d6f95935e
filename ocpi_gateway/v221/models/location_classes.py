"""The classes of the OCPI 2.2.1 *Locations* module (mod_locations, Data types).

Import them from `locations`; they live apart only to keep that module short.
Rules the spec states in prose are checked too, each citing its clause.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from .base import OcpiModel
from .common import DisplayText
from .location_enums import (
    EnergySourceCategory,
    EnvironmentalImpactCategory,
    ImageCategory,
    Status,
)
from .primitives import (
    URL,
    Boolean,
    CiString4,
    CiString36,
    DateTime,
    Number,
    String64,
    String100,
    int_with_digits,
    string_with,
)
from .shared_enums import TokenType

__all__ = [
    "AdditionalGeoLocation",
    "BusinessDetails",
    "EnergyMix",
    "EnergySource",
    "EnvironmentalImpact",
    "ExceptionalPeriod",
    "GeoLocation",
    "Hours",
    "Image",
    "PublishTokenType",
    "RegularHours",
    "StatusSchedule",
]

# GeoLocation: the patterns of the latitude and longitude fields' tables.
LATITUDE_PATTERN = r"-?[0-9]{1,2}\.[0-9]{5,7}"
LONGITUDE_PATTERN = r"-?[0-9]{1,3}\.[0-9]{5,7}"
#: Hours and minutes, 24h with leading zeros (RegularHours, TariffRestrictions).
TIME_OF_DAY_PATTERN = r"([0-1][0-9]|2[0-3]):[0-5][0-9]"

Latitude = Annotated[str, string_with("string", 10, LATITUDE_PATTERN)]
Longitude = Annotated[str, string_with("string", 11, LONGITUDE_PATTERN)]
TimeOfDay = Annotated[str, string_with("string", 5, TIME_OF_DAY_PATTERN)]


class GeoLocation(OcpiModel):
    """*GeoLocation* class: WGS 84 coordinates in decimal degrees."""

    latitude: Latitude
    """Latitude, e.g. ``50.770774``."""
    longitude: Longitude
    """Longitude, e.g. ``-126.104965``."""


class AdditionalGeoLocation(OcpiModel):
    """*AdditionalGeoLocation* class: a related point, e.g. an entrance."""

    latitude: Latitude
    """Latitude, e.g. ``50.770774``."""
    longitude: Longitude
    """Longitude, e.g. ``-126.104965``."""
    name: DisplayText | None = None
    """What the point is called on site, e.g. an entrance's street name."""


class Image(OcpiModel):
    """*Image* class: a link to a photo or logo."""

    url: URL
    """Where to download the full image."""
    thumbnail: URL | None = None
    """Where to download a small version."""
    category: ImageCategory
    """What the image is used for."""
    type: CiString4
    """File type, e.g. ``png`` or ``jpeg``."""
    width: Annotated[int, int_with_digits(5)] | None = None
    """Full-size width in pixels."""
    height: Annotated[int, int_with_digits(5)] | None = None
    """Full-size height in pixels."""


class BusinessDetails(OcpiModel):
    """*BusinessDetails* class: name, website and logo of a party."""

    name: String100
    """Name of the operator."""
    website: URL | None = None
    """The party's website."""
    logo: Image | None = None
    """The party's logo."""


class EnergySource(OcpiModel):
    """*EnergySource* class: one source's share of the energy mix."""

    source: EnergySourceCategory
    """Which kind of source."""
    percentage: Annotated[Number, Field(ge=0, le=100)]
    """Share of this source, 0 to 100 percent."""


class EnvironmentalImpact(OcpiModel):
    """*EnvironmentalImpact* class: waste produced/emitted per kWh."""

    category: EnvironmentalImpactCategory
    """What is being measured."""
    amount: Number
    """Grams per kWh."""


class EnergyMix(OcpiModel):
    """*EnergyMix* class: where the energy comes from and what it emits."""

    is_green_energy: Boolean
    """Whether all of it is renewable."""
    energy_sources: list[EnergySource] | None = None
    """Shares per energy source."""
    environ_impact: list[EnvironmentalImpact] | None = None
    """Emissions and waste per kWh."""
    supplier_name: String64 | None = None
    """Who supplies the energy."""
    energy_product_name: String64 | None = None
    """Name of the energy supplier's product/tariff plan."""


class ExceptionalPeriod(OcpiModel):
    """*ExceptionalPeriod* class: one exceptional opening or closing, in UTC."""

    period_begin: DateTime
    """Begin of the exception."""
    period_end: DateTime
    """End of the exception."""


class RegularHours(OcpiModel):
    """*RegularHours* class: a recurring weekly period, in local time."""

    weekday: Annotated[int, int_with_digits(1), Field(ge=1, le=7)]
    """Day of the week: 1 is Monday, 7 is Sunday."""
    period_begin: TimeOfDay
    """Begin of the period, ``HH:MM``."""
    period_end: TimeOfDay
    """End of the period, ``HH:MM``, same syntax as `period_begin`."""

    @model_validator(mode="after")
    def _end_after_begin(self) -> Self:
        # RegularHours, period_end: has to come after period_begin.
        if self.period_end <= self.period_begin:
            raise ValueError(
                f"period_end {self.period_end} must be later than period_begin {self.period_begin}"
            )
        return self


class Hours(OcpiModel):
    """*Hours* class: opening and access hours of a location."""

    twentyfourseven: Boolean
    """Always open, apart from the exceptional closings."""
    regular_hours: list[RegularHours] | None = None
    """Regular hours, weekday-based; only when `twentyfourseven` is false."""
    exceptional_openings: list[ExceptionalPeriod] | None = None
    """Extra periods when it is open, on top of the regular hours."""
    exceptional_closings: list[ExceptionalPeriod] | None = None
    """Extra periods when it is closed; these win over all openings."""

    @model_validator(mode="after")
    def _regular_hours_iff_not_247(self) -> Self:
        # Hours, regular_hours: given only when twentyfourseven is false, and
        # then with one entry or more.
        if self.twentyfourseven and self.regular_hours:
            raise ValueError("regular_hours must not be given when twentyfourseven is true")
        if not self.twentyfourseven and not self.regular_hours:
            raise ValueError("regular_hours needs at least one entry when twentyfourseven is false")
        return self


class PublishTokenType(OcpiModel):
    """*PublishTokenType* class: a token a non-published location is shown to."""

    uid: CiString36 | None = None
    """The token's identifier."""
    type: TokenType | None = None
    """Type of the token."""
    visual_number: String64 | None = None
    """The number printed on the token."""
    issuer: String64 | None = None
    """Who issued the token, usually the name printed on it."""
    group_id: CiString36 | None = None
    """Group of tokens that count as one."""

    @model_validator(mode="after")
    def _identifies_a_token(self) -> Self:
        # PublishTokenType: the token is identified by uid, visual_number or
        # group_id (one at least); a uid needs its type, a visual_number its
        # issuer.
        if self.uid is None and self.visual_number is None and self.group_id is None:
            raise ValueError("at least one of uid, visual_number or group_id must be set")
        if self.uid is not None and self.type is None:
            raise ValueError("type must be set when uid is set")
        if self.visual_number is not None and self.issuer is None:
            raise ValueError("issuer must be set when visual_number is set")
        return self


class StatusSchedule(OcpiModel):
    """*StatusSchedule* class: a planned status period of an EVSE."""

    period_begin: DateTime
    """When the period starts."""
    period_end: DateTime | None = None
    """When the period ends; absent if open-ended."""
    status: Status
    """The status the EVSE will have then."""
