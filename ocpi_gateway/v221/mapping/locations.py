"""OCPI 2.2.1 Location/EVSE/Connector ↔ domain sites and live EVSEs.

Inbound (`site_from_wire`): the operator's Location file becomes a `Site`; the fields the
store keeps in columns are taken out, the other descriptive attributes stay as their JSON
form (`details`), and each EVSE becomes an `EvseSpec` whose status and connector facts are
used until a station provides it.

Outbound (`location_document`): a `SiteView` becomes a Location with live EVSEs first (in
station order) and then the described ones, as plain JSON-able data. What it puts in is
valid by construction — imported attributes were validated by the wire model on the way in,
generated ids are cut to their CiString lengths, statuses and connector facts come from
closed tables — so the serving path does not validate it again (it is rendered once per
change and kept as bytes, `ocpi_gateway.v221.location_documents`); `location_to_wire`
validates it with the wire model, which tests (and the cache's `validate` mode) do.
"""

from __future__ import annotations

from typing import Any

from ocpi_gateway.mapping.locations import connector_facts, evse_capabilities, evse_status
from ocpi_gateway.v221.models import EVSE, Connector, Location
from shared.domain.locations import (
    ConnectorSpec,
    EvseSpec,
    GeoPoint,
    LiveConnector,
    LiveEvse,
    Site,
    SiteView,
)

__all__ = [
    "connector_to_wire",
    "evse_to_wire",
    "location_document",
    "location_to_wire",
    "site_from_wire",
    "static_evse_to_wire",
]

#: Location fields kept in their own columns (the rest is `Site.details`).
_SITE_COLUMNS = frozenset(
    {
        "country_code",
        "party_id",
        "id",
        "publish",
        "name",
        "address",
        "city",
        "postal_code",
        "state",
        "country",
        "coordinates",
        "time_zone",
        "evses",
        "last_updated",
    }
)
#: EVSE fields kept in `EvseSpec`'s own attributes (the rest is `EvseSpec.extra`).
_SPEC_FIELDS = frozenset(
    {
        "uid",
        "evse_id",
        "status",
        "capabilities",
        "connectors",
        "floor_level",
        "physical_reference",
        "last_updated",
    }
)


def _connector_spec(connector: Connector) -> ConnectorSpec:
    return ConnectorSpec(
        connector_id=connector.id,
        standard=str(connector.standard),
        format=str(connector.format),
        power_type=str(connector.power_type),
        max_voltage=connector.max_voltage,
        max_amperage=connector.max_amperage,
        max_electric_power=connector.max_electric_power,
        tariff_ids=tuple(connector.tariff_ids) if connector.tariff_ids is not None else None,
        terms_and_conditions=connector.terms_and_conditions,
    )


def _evse_spec(evse: EVSE) -> EvseSpec:
    data = evse.model_dump(mode="json", exclude_none=True)
    return EvseSpec(
        uid=evse.uid,
        status=str(evse.status),
        evse_id=evse.evse_id,
        capabilities=tuple(str(c) for c in evse.capabilities)
        if evse.capabilities is not None
        else None,
        floor_level=evse.floor_level,
        physical_reference=evse.physical_reference,
        connectors=tuple(_connector_spec(c) for c in evse.connectors),
        extra={k: v for k, v in data.items() if k not in _SPEC_FIELDS},
    )


def site_from_wire(location: Location) -> Site:
    """The domain site of an imported Location (timestamps are set when it is stored).

    Raises `pydantic_core.PydanticSerializationError` for a number that JSON cannot hold
    exactly (an attribute kept as JSON).
    """
    data = location.model_dump(mode="json", exclude_none=True)
    return Site(
        id=location.id,
        country_code=location.country_code,
        party_id=location.party_id,
        publish=location.publish,
        name=location.name,
        address=location.address,
        city=location.city,
        postal_code=location.postal_code,
        state=location.state,
        country=location.country,
        coordinates=GeoPoint(location.coordinates.latitude, location.coordinates.longitude),
        time_zone=location.time_zone,
        details={k: v for k, v in data.items() if k not in _SITE_COLUMNS},
        evse_specs=tuple(_evse_spec(e) for e in location.evses or ()),
    )


def connector_to_wire(connector: LiveConnector) -> dict[str, Any]:
    """A live connector as a 2.2.1 Connector (dict, validated with its EVSE)."""
    facts = connector_facts(connector)
    data: dict[str, Any] = {
        "id": str(connector.connector_id),
        "standard": facts.standard,
        "format": facts.format,
        "power_type": facts.power_type,
        "max_voltage": facts.max_voltage,
        "max_amperage": facts.max_amperage,
        "last_updated": connector.last_updated,
    }
    if facts.max_electric_power is not None:
        data["max_electric_power"] = facts.max_electric_power
    if connector.tariff_ids:
        data["tariff_ids"] = list(connector.tariff_ids)
    return data


def _spec_connector(spec: ConnectorSpec, fallback: Any) -> dict[str, Any]:
    facts = connector_facts(spec)
    data: dict[str, Any] = {
        "id": spec.connector_id,
        "standard": facts.standard,
        "format": facts.format,
        "power_type": facts.power_type,
        "max_voltage": facts.max_voltage,
        "max_amperage": facts.max_amperage,
        "last_updated": spec.last_updated or fallback,
    }
    optional = {
        "max_electric_power": facts.max_electric_power,
        "tariff_ids": list(spec.tariff_ids) if spec.tariff_ids else None,
        "terms_and_conditions": spec.terms_and_conditions,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    return data


def evse_to_wire(evse: LiveEvse) -> dict[str, Any]:
    """A live EVSE as a 2.2.1 EVSE (dict); its description's extra details included."""
    data: dict[str, Any] = dict(evse.spec.extra) if evse.spec is not None else {}
    terms = _terms(evse)
    connectors = [connector_to_wire(c) for c in evse.connectors]
    for connector in connectors:
        if connector["id"] in terms:
            connector["terms_and_conditions"] = terms[connector["id"]]
    data.update(
        {
            "uid": evse.uid,
            "status": evse_status(evse),
            "capabilities": evse_capabilities(evse),
            "connectors": connectors,
            "last_updated": evse.last_updated,
        }
    )
    optional = {
        "evse_id": evse.published_evse_id,
        "floor_level": evse.floor_level,
        "physical_reference": evse.physical_reference,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    return data


def _terms(evse: LiveEvse) -> dict[str, str]:
    if evse.spec is None:
        return {}
    specs = evse.spec.connectors
    return {
        str(live.connector_id): spec.terms_and_conditions
        for live, spec in zip(evse.connectors, specs, strict=False)
        if spec.terms_and_conditions
    }


def static_evse_to_wire(spec: EvseSpec) -> dict[str, Any]:
    """A described EVSE that no station provides, as the operator described it."""
    data: dict[str, Any] = dict(spec.extra)
    data.update(
        {
            "uid": spec.uid,
            "status": spec.status,
            "connectors": [_spec_connector(c, spec.last_updated) for c in spec.connectors],
            "last_updated": spec.last_updated,
        }
    )
    optional = {
        "evse_id": spec.evse_id,
        "capabilities": list(spec.capabilities) if spec.capabilities is not None else None,
        "floor_level": spec.floor_level,
        "physical_reference": spec.physical_reference,
    }
    data.update({k: v for k, v in optional.items() if v is not None})
    return data


def location_document(view: SiteView) -> dict[str, Any]:
    """The 2.2.1 Location partners see, as a JSON-able dict (datetimes still `datetime`:
    `json_dumps` writes them as OCPI DateTimes). Not validated: see `location_to_wire`."""
    site = view.site
    data: dict[str, Any] = dict(site.details)
    evses = [evse_to_wire(e) for e in view.evses]
    evses += [static_evse_to_wire(s) for s in view.static_evses]
    data.update(
        {
            "country_code": site.country_code,
            "party_id": site.party_id,
            "id": site.id,
            "publish": site.publish,
            "address": site.address,
            "city": site.city,
            "country": site.country,
            "coordinates": {
                "latitude": site.coordinates.latitude,
                "longitude": site.coordinates.longitude,
            },
            "time_zone": site.time_zone,
            "last_updated": view.last_updated,
        }
    )
    optional = {"name": site.name, "postal_code": site.postal_code, "state": site.state}
    data.update({k: v for k, v in optional.items() if v is not None})
    if evses:
        data["evses"] = evses
    return data


def location_to_wire(view: SiteView) -> Location:
    """`location_document(view)` validated by the 2.2.1 model; raises
    `pydantic.ValidationError` when stored data no longer fits it."""
    return Location.model_validate(location_document(view))
