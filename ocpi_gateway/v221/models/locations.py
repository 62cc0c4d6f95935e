"""OCPI 2.2.1 *Locations* module (mod_locations): Location, EVSE, Connector.

Also re-exports the module's classes (`location_classes`) and enums
(`location_enums`). PATCH bodies: `LocationPatch`, `EvsePatch`,
`ConnectorPatch`; each must carry `last_updated` (mod_locations, *PATCH*).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Self

from pydantic import Field, model_validator

from .base import OcpiModel
from .common import DisplayText
from .location_classes import (
    AdditionalGeoLocation,
    BusinessDetails,
    EnergyMix,
    EnergySource,
    EnvironmentalImpact,
    ExceptionalPeriod,
    GeoLocation,
    Hours,
    Image,
    PublishTokenType,
    RegularHours,
    StatusSchedule,
)
from .location_enums import (
    Capability,
    ConnectorFormat,
    ConnectorType,
    EnergySourceCategory,
    EnvironmentalImpactCategory,
    Facility,
    ImageCategory,
    ParkingRestriction,
    ParkingType,
    PowerType,
    Status,
)
from .patch import patch_model
from .primitives import (
    URL,
    Boolean,
    CiString2,
    CiString3,
    CiString36,
    CiString48,
    DateTime,
    Int,
    String3,
    String4,
    String10,
    String16,
    String45,
    String255,
    ci_key,
)

__all__ = [
    "EVSE",
    "AdditionalGeoLocation",
    "BusinessDetails",
    "Capability",
    "Connector",
    "ConnectorFormat",
    "ConnectorPatch",
    "ConnectorType",
    "EnergyMix",
    "EnergySource",
    "EnergySourceCategory",
    "EnvironmentalImpact",
    "EnvironmentalImpactCategory",
    "EvsePatch",
    "ExceptionalPeriod",
    "Facility",
    "GeoLocation",
    "Hours",
    "Image",
    "ImageCategory",
    "Location",
    "LocationPatch",
    "ParkingRestriction",
    "ParkingType",
    "PowerType",
    "PublishTokenType",
    "RegularHours",
    "Status",
    "StatusSchedule",
]


def _duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    twice = []
    for value in values:
        key = ci_key(value)
        if key in seen:
            twice.append(value)
        seen.add(key)
    return twice


class Connector(OcpiModel):
    """*Connector* object: a socket or cable-and-plug of an EVSE."""

    patch_required_fields: ClassVar[tuple[str, ...]] = ("last_updated",)

    id: CiString36
    """The connector's ID, unique within its EVSE."""
    standard: ConnectorType
    """Plug/socket standard."""
    format: ConnectorFormat
    """Socket or fixed cable."""
    power_type: PowerType
    """AC (number of phases) or DC."""
    max_voltage: Int
    """Highest voltage in V; phase to neutral for three-phase AC."""
    max_amperage: Int
    """Maximum amperage [A]."""
    max_electric_power: Int | None = None
    """Maximum electric power [W], when lower than voltage × amperage."""
    tariff_ids: list[CiString36] | None = None
    """IDs of the tariffs in force (at most one per tariff type at a time)."""
    terms_and_conditions: URL | None = None
    """Link to the operator's terms."""
    last_updated: DateTime
    """When the connector was created or last changed."""


class EVSE(OcpiModel):
    """*EVSE* object: the part that powers one EV in one session."""

    patch_required_fields: ClassVar[tuple[str, ...]] = ("last_updated",)

    uid: CiString36
    """Technical EVSE ID, unique at the CPO and never changed."""
    evse_id: CiString48 | None = None
    """eMI3 EVSE ID; may be removed when `status` is REMOVED."""
    status: Status
    """Status now."""
    status_schedule: list[StatusSchedule] | None = None
    """Planned status updates of the EVSE."""
    capabilities: list[Capability] | None = None
    """Functionalities the EVSE is capable of."""
    connectors: Annotated[list[Connector], Field(min_length=1)]
    """Connectors of the EVSE; only one can be used at a time."""
    floor_level: String4 | None = None
    """Floor, as numbered on site (car parks)."""
    coordinates: GeoLocation | None = None
    """Coordinates of the EVSE."""
    physical_reference: String16 | None = None
    """Label on the EVSE's housing."""
    directions: list[DisplayText] | None = None
    """Directions from the Location to the EVSE."""
    parking_restrictions: list[ParkingRestriction] | None = None
    """Who may park at the EVSE."""
    images: list[Image] | None = None
    """Images related to the EVSE."""
    last_updated: DateTime
    """When the EVSE or one of its connectors last changed."""

    @model_validator(mode="after")
    def _unique_connector_ids(self) -> Self:
        # Connector, id: two Connectors may share an id only if they do not
        # belong to the same EVSE.
        twice = _duplicates([connector.id for connector in self.connectors])
        if twice:
            raise ValueError(f"connector id {twice[0]!r} appears more than once")
        return self


class Location(OcpiModel):
    """*Location* object: a place with one or more EVSEs."""

    patch_required_fields: ClassVar[tuple[str, ...]] = ("last_updated",)

    country_code: CiString2
    """Country (ISO 3166 alpha-2) of the CPO owning the location."""
    party_id: CiString3
    """ID of the CPO that owns this Location (ISO-15118)."""
    id: CiString36
    """Location ID, unique at the CPO and never changed."""
    publish: Boolean
    """Whether apps and websites may show the location."""
    publish_allowed_to: list[PublishTokenType] | None = None
    """Tokens that may be shown this Location when `publish` is false."""
    name: String255 | None = None
    """The location's name, as shown to drivers."""
    address: String255
    """Street and, where there is one, house number."""
    city: String45
    """City or town."""
    postal_code: String10 | None = None
    """Postal code, omitted only when the location has none."""
    state: String45 | None = None
    """State or province, only when relevant."""
    country: String3
    """ISO 3166-1 alpha-3 code of the country."""
    coordinates: GeoLocation
    """Coordinates of the location."""
    related_locations: list[AdditionalGeoLocation] | None = None
    """Other points worth knowing, e.g. an entrance."""
    parking_type: ParkingType | None = None
    """Kind of parking place."""
    evses: list[EVSE] | None = None
    """The location's EVSEs."""
    directions: list[DisplayText] | None = None
    """How to get there, for people."""
    operator: BusinessDetails | None = None
    """The operator; when absent, the credentials' business details apply."""
    suboperator: BusinessDetails | None = None
    """The suboperator, if available."""
    owner: BusinessDetails | None = None
    """The owner, if available."""
    facilities: list[Facility] | None = None
    """Facilities the location is part of."""
    time_zone: String255
    """IANA time zone name, e.g. ``Europe/Oslo``."""
    opening_times: Hours | None = None
    """When the EVSEs can be reached."""
    charging_when_closed: Boolean | None = None
    """Whether charging continues outside opening hours (absent means true)."""
    images: list[Image] | None = None
    """Images related to the location."""
    energy_mix: EnergyMix | None = None
    """The energy delivered here."""
    last_updated: DateTime
    """When the location, an EVSE or a connector last changed."""

    @model_validator(mode="after")
    def _unique_evse_uids(self) -> Self:
        # EVSE, uid: unique across the CPO's platform, so within a Location too.
        twice = _duplicates([evse.uid for evse in self.evses or ()])
        if twice:
            raise ValueError(f"EVSE uid {twice[0]!r} appears more than once")
        return self

    @model_validator(mode="after")
    def _publish_allowed_to_only_when_unpublished(self) -> Self:
        # Location, publish_allowed_to: allowed only together with publish
        # false.
        if self.publish and self.publish_allowed_to:
            raise ValueError("publish_allowed_to may only be used when publish is false")
        return self


LocationPatch = patch_model(Location)
EvsePatch = patch_model(EVSE)
ConnectorPatch = patch_model(Connector)
