"""Charging locations: where stations are, and how their EVSEs are published.

A `Site` is what the operator describes (address, coordinates, time zone, opening hours …).
Its EVSEs come from two places:

- `LiveEvse`: an EVSE of a charging station linked to the site. Its status is the live
  OCPP state; its published identity (`uid`, `evse_id`) and hardware facts (connector
  standard, format, power, tariffs) are assigned at linking and may be overridden by the
  operator's data.
- `EvseSpec`: an EVSE the operator described but no linked station provides (yet): shown as
  described. When a station is linked, its EVSEs take over these descriptions in order, so
  the operator's file can set identities and connector facts before the hardware connects.

Vocabularies: connector standards, formats, power types, capabilities and EVSE statuses in
specs use the roaming catalogue's names (e.g. ``IEC_62196_T2``, ``SOCKET``, ``AC_3_PHASE``,
``RFID_READER``, ``AVAILABLE``) because no charging protocol has a richer one; live status is
the OCPP 2.0.1 `ConnectorStatus`. The descriptive attributes the store does not interpret
(opening hours, facilities, images, directions, energy mix, …) travel as a JSON-able mapping
(`details`), validated by the gateway on the way in and out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.domain.stations import ConnectorStatus

__all__ = [
    "DEFAULT_CAPABILITIES",
    "ConnectorSpec",
    "EvseSpec",
    "GeoPoint",
    "LiveConnector",
    "LiveEvse",
    "Site",
    "SiteView",
]

#: What an OCPP-connected EVSE can do through us unless the operator says otherwise: start
#: and stop remotely, reserve, unlock, take charging profiles, read RFID cards.
DEFAULT_CAPABILITIES = (
    "CHARGING_PROFILE_CAPABLE",
    "REMOTE_START_STOP_CAPABLE",
    "RESERVABLE",
    "RFID_READER",
    "UNLOCK_CAPABLE",
)

JsonMap = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """WGS 84 coordinates as decimal-degree text (kept exact, e.g. ``"59.329323"``)."""

    latitude: str
    longitude: str


@dataclass(frozen=True, slots=True)
class ConnectorSpec:
    """The operator's description of one connector; None means "use the default"."""

    connector_id: str
    standard: str | None = None
    format: str | None = None
    power_type: str | None = None
    max_voltage: int | None = None
    max_amperage: int | None = None
    max_electric_power: int | None = None
    tariff_ids: tuple[str, ...] | None = None
    terms_and_conditions: str | None = None
    last_updated: datetime | None = None


@dataclass(frozen=True, slots=True)
class EvseSpec:
    """The operator's description of one EVSE of a site."""

    uid: str
    status: str = "UNKNOWN"
    evse_id: str | None = None
    capabilities: tuple[str, ...] | None = None
    floor_level: str | None = None
    physical_reference: str | None = None
    connectors: tuple[ConnectorSpec, ...] = ()
    #: coordinates, directions, parking_restrictions, images, status_schedule.
    extra: JsonMap = field(default_factory=dict)
    last_updated: datetime | None = None


@dataclass(frozen=True, slots=True)
class Site:
    """A charging location as the operator describes it."""

    id: str
    country_code: str
    party_id: str
    address: str
    city: str
    country: str
    coordinates: GeoPoint
    time_zone: str
    publish: bool = True
    name: str | None = None
    postal_code: str | None = None
    state: str | None = None
    details: JsonMap = field(default_factory=dict)
    evse_specs: tuple[EvseSpec, ...] = ()
    last_updated: datetime | None = None


@dataclass(frozen=True, slots=True)
class LiveConnector:
    """A station's connector as published: live status plus its published facts."""

    connector_id: int
    status: ConnectorStatus
    standard: str | None
    format: str | None
    power_type: str | None
    max_voltage: int | None
    max_amperage: int | None
    max_electric_power: int | None
    tariff_ids: tuple[str, ...]
    last_updated: datetime


@dataclass(frozen=True, slots=True)
class LiveEvse:
    """A station's EVSE linked to a site."""

    station_id: str
    evse_id: int
    uid: str
    status: ConnectorStatus
    station_connected: bool
    removed: bool
    connectors: tuple[LiveConnector, ...]
    last_updated: datetime
    published_evse_id: str | None = None
    capabilities: tuple[str, ...] | None = None
    floor_level: str | None = None
    physical_reference: str | None = None
    #: The operator's description this EVSE took over, if any (for its extra details).
    spec: EvseSpec | None = None


@dataclass(frozen=True, slots=True)
class SiteView:
    """A site with everything published under it."""

    site: Site
    evses: tuple[LiveEvse, ...]
    #: Described EVSEs that no linked station provides.
    static_evses: tuple[EvseSpec, ...]
    #: The newest change of the site, its EVSEs and connectors.
    last_updated: datetime
