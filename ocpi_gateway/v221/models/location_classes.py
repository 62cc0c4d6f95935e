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

# GeoLocation: "Regex: -?[0-9]{1,2}\.[0-9]{5,7}" and "-?[0-9]{1,3}\.[0-9]{5,7}".
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
    """Name of the point in local language or as written at the location."""


class Image(OcpiModel):
    """*Image* class: a link to a photo or logo."""

    url: URL
    """URL from where the image data can be fetched."""
    thumbnail: URL | None = None
    """URL of a thumbnail of the image."""
    category: ImageCategory
    """What the image is used for."""
    type: CiString4
    """Image type like: gif, jpeg, png, svg."""
    width: Annotated[int, int_with_digits(5)] | None = None
    """Width of the full scale image."""
    height: Annotated[int, int_with_digits(5)] | None = None
    """Height of the full scale image."""


class BusinessDetails(OcpiModel):
    """*BusinessDetails* class: name, website and logo of a party."""

    name: String100
    """Name of the operator."""
    website: URL | None = None
    """Link to the operator's website."""
    logo: Image | None = None
    """Image link to the operator's logo."""


class EnergySource(OcpiModel):
    """*EnergySource* class: one source's share of the energy mix."""

    source: EnergySourceCategory
    """The type of energy source."""
    percentage: Annotated[Number, Field(ge=0, le=100)]
    """Percentage of this source (0-100) in the mix."""


class EnvironmentalImpact(OcpiModel):
    """*EnvironmentalImpact* class: waste produced/emitted per kWh."""

    category: EnvironmentalImpactCategory
    """The environmental impact category of this value."""
    amount: Number
    """Amount of this portion in g/kWh."""


class EnergyMix(OcpiModel):
    """*EnergyMix* class: energy mix and environmental impact of the energy."""

    is_green_energy: Boolean
    """True if 100% from regenerative sources."""
    energy_sources: list[EnergySource] | None = None
    """Key-value pairs (enum + percentage) of energy sources."""
    environ_impact: list[EnvironmentalImpact] | None = None
    """Key-value pairs (enum + amount) of nuclear waste and CO2 exhaust."""
    supplier_name: String64 | None = None
    """Name of the energy supplier."""
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
    """Number of the day in the week, from Monday (1) till Sunday (7)."""
    period_begin: TimeOfDay
    """Begin of the period, ``HH:MM``."""
    period_end: TimeOfDay
    """End of the period, ``HH:MM``, same syntax as `period_begin`."""

    @model_validator(mode="after")
    def _end_after_begin(self) -> Self:
        # RegularHours, period_end: "Must be later than period_begin".
        if self.period_end <= self.period_begin:
            raise ValueError(
                f"period_end {self.period_end} must be later than period_begin {self.period_begin}"
            )
        return self


class Hours(OcpiModel):
    """*Hours* class: opening and access hours of a location."""

    twentyfourseven: Boolean
    """True for 24 hours a day, 7 days a week, except the given exceptions."""
    regular_hours: list[RegularHours] | None = None
    """Regular hours, weekday-based; only when `twentyfourseven` is false."""
    exceptional_openings: list[ExceptionalPeriod] | None = None
    """Exceptional periods the station is operating/accessible."""
    exceptional_closings: list[ExceptionalPeriod] | None = None
    """Exceptional periods the station is not operating/accessible."""

    @model_validator(mode="after")
    def _regular_hours_iff_not_247(self) -> Self:
        # Hours, regular_hours: "Only to be used if twentyfourseven=false, then
        # this field needs to contain at least one RegularHours object."
        if self.twentyfourseven and self.regular_hours:
            raise ValueError("regular_hours must not be given when twentyfourseven is true")
        if not self.twentyfourseven and not self.regular_hours:
            raise ValueError("regular_hours needs at least one entry when twentyfourseven is false")
        return self


class PublishTokenType(OcpiModel):
    """*PublishTokenType* class: a token a non-published location is shown to."""

    uid: CiString36 | None = None
    """Unique ID by which this Token can be identified."""
    type: TokenType | None = None
    """Type of the token."""
    visual_number: String64 | None = None
    """Visual readable number/identification as printed on the Token."""
    issuer: String64 | None = None
    """Issuing company, most of the times the name printed on the token."""
    group_id: CiString36 | None = None
    """This ID groups a couple of tokens."""

    @model_validator(mode="after")
    def _identifies_a_token(self) -> Self:
        # PublishTokenType: "At least one of the following fields SHALL be set:
        # uid, visual_number, or group_id. When uid is set, type SHALL also be
        # set. When visual_number is set, issuer SHALL also be set."
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
    """Begin of the scheduled period."""
    period_end: DateTime | None = None
    """End of the scheduled period, if known."""
    status: Status
    """Status value during the scheduled period."""
