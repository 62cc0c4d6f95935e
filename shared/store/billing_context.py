"""Where and by whom a session was held, as billing needs it for a CDR: the location, EVSE,
connector and meter of the site, the id token and the party that issued it; and whether a
station shows costs to the driver (OCPP 2.0.1 TariffCostCtrlr).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.store.tables import (
    connectors,
    evses,
    id_tokens,
    locations,
    partners,
    station_variables,
    stations,
)

if TYPE_CHECKING:
    from shared.store.billing import SessionRecord

__all__ = ["SiteRecord", "TokenRecord", "cost_display_enabled", "session_token", "site_record"]


@dataclass(frozen=True, slots=True)
class SiteRecord:
    """Where a session took place: the location (if the EVSE is linked to one), EVSE and
    connector as they are now, and the station's meter."""

    location: Mapping[str, Any] | None
    evse_uid: str | None
    ocpi_evse_id: str | None
    standard: str | None
    format: str | None
    power_type: str | None
    meter_id: str | None

    @property
    def time_zone(self) -> str:
        """The location's IANA zone; UTC when the EVSE belongs to no location."""
        zone = None if self.location is None else self.location.get("time_zone")
        return str(zone) if zone else "UTC"


def _site_query(station_id: str, evse_id: int, connector_id: int) -> Select[Any]:
    return (
        select(
            evses.c.evse_uid,
            evses.c.ocpi_evse_id,
            connectors.c.standard,
            connectors.c.format,
            connectors.c.power_type,
            stations.c.meter_serial_number,
            *(column.label(f"loc_{column.name}") for column in locations.c),
        )
        .select_from(stations)
        .outerjoin(evses, and_(evses.c.station_id == stations.c.id, evses.c.evse_id == evse_id))
        .outerjoin(
            connectors,
            and_(
                connectors.c.station_id == stations.c.id,
                connectors.c.evse_id == evse_id,
                connectors.c.connector_id == connector_id,
            ),
        )
        .outerjoin(locations, locations.c.id == evses.c.location_id)
        .where(stations.c.id == station_id)
    )


async def site_record(
    conn: AsyncConnection, station_id: str, evse_id: int, connector_id: int
) -> SiteRecord:
    """The site of a connector (every part may be unknown)."""
    query = _site_query(station_id, evse_id, connector_id)
    row = (await conn.execute(query)).first()
    if row is None:
        return SiteRecord(None, None, None, None, None, None, None)
    mapping = row._mapping
    location = None
    if mapping["loc_id"] is not None:
        location = {c.name: mapping[f"loc_{c.name}"] for c in locations.c}
    return SiteRecord(
        location=location,
        evse_uid=row.evse_uid,
        ocpi_evse_id=row.ocpi_evse_id,
        standard=row.standard,
        format=row.format,
        power_type=row.power_type,
        meter_id=row.meter_serial_number,
    )


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """The token a session was started with, as far as we know it, and who issued it."""

    uid: str
    type: str | None  # OCPP IdTokenType / our token type
    contract_id: str | None
    issuer_country_code: str | None
    issuer_party_id: str | None


async def session_token(conn: AsyncConnection, session: SessionRecord) -> TokenRecord | None:
    """The session's id token with its contract and issuing party, or None without one."""
    if session.id_token is None:
        return None
    query = select(id_tokens).where(id_tokens.c.id_token == session.id_token)
    if session.partner_id is not None:
        query = query.where(id_tokens.c.partner_id == session.partner_id)
    else:
        query = query.where(id_tokens.c.source == "local")
    token = (await conn.execute(query.limit(1))).first()
    country, party = None, None
    if session.partner_id is not None:
        partner = (
            await conn.execute(
                select(partners.c.country_code, partners.c.party_id).where(
                    partners.c.id == session.partner_id
                )
            )
        ).first()
        if partner is not None:
            country, party = partner.country_code, partner.party_id
    if token is not None and "*" in token.source and country is None:
        country, _, party = token.source.partition("*")
    return TokenRecord(
        uid=session.id_token,
        type=(token.type if token is not None else None) or session.id_token_type,
        contract_id=token.contract_id if token is not None else None,
        issuer_country_code=country,
        issuer_party_id=party,
    )


async def cost_display_enabled(conn: AsyncConnection, station_id: str) -> bool:
    """True for an OCPP 2.0.1 station that reported `TariffCostCtrlr.Enabled[Cost]` true
    (2.0.1 I03: the CSMS may then send CostUpdated)."""
    version = (
        await conn.execute(select(stations.c.ocpp_version).where(stations.c.id == station_id))
    ).scalar()
    if version != "2.0.1":
        return False
    value = (
        await conn.execute(
            select(station_variables.c.value).where(
                station_variables.c.station_id == station_id,
                station_variables.c.component == "TariffCostCtrlr",
                station_variables.c.variable == "Enabled",
                station_variables.c.variable_instance == "Cost",
                station_variables.c.attribute_type == "Actual",
            )
        )
    ).scalar()
    return isinstance(value, str) and value.strip().lower() == "true"
