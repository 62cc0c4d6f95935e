"""Seeding for the OCPI benchmarks that need stations *and* roaming: stations whose EVSE 1
is published at a location of its own, and a registered eMSP partner.

Written straight into the database through the store's tables, before `csms serve`
starts on it (the node loads what is published at start). The partner's `locations`
Receiver is `partner_url` (a fake partner of the benchmark); the partner reaches us with
`PARTNER_TOKEN`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = ["PARTNER_TOKEN", "evse_uid", "location_id", "seed_roaming"]

#: The token the partner presents to us (`Authorization: Token base64(…)`).
PARTNER_TOKEN = "bench-roaming-token-" + "y" * 24


def location_id(station_id: str) -> str:
    """The location a seeded station's EVSE 1 is published at."""
    return f"L-{station_id}"


def evse_uid(station_id: str) -> str:
    """The OCPI uid of a seeded station's EVSE 1."""
    from shared.store.location_links import evse_uid_for

    return evse_uid_for(station_id, 1)


def _rows(station_id: str, version: str, now: datetime) -> tuple[dict[str, Any], ...]:
    from shared.store.location_links import emi3_evse_id

    site = {
        "id": location_id(station_id),
        "country_code": "SE",
        "party_id": "LDP",
        "publish": True,
        "name": f"Bench {station_id}",
        "address": "Storgatan 1",
        "city": "Stockholm",
        "postal_code": "11122",
        "state": None,
        "country": "SWE",
        "latitude": "59.330000",
        "longitude": "18.060000",
        "time_zone": "Europe/Stockholm",
        "details": {"attributes": {"parking_type": "ON_STREET"}, "evses": []},
        "last_updated": now,
    }
    station = {
        "id": station_id,
        "ocpp_version": version,
        "registration_status": "accepted",
        "connected": False,
        "created_at": now,
        "updated_at": now,
    }
    evse = {
        "station_id": station_id,
        "evse_id": 1,
        "status": "Available",
        "location_id": location_id(station_id),
        "evse_uid": evse_uid(station_id),
        "ocpi_evse_id": emi3_evse_id("SE", "LDP", station_id, 1),
        "removed": False,
        "last_updated": now,
    }
    connector = {
        "station_id": station_id,
        "evse_id": 1,
        "connector_id": 1,
        "status": "Available",
        "standard": "IEC_62196_T2",
        "format": "SOCKET",
        "power_type": "AC_3_PHASE",
        "max_voltage": 400,
        "max_amperage": 32,
        "max_electric_power": 22000,
        "tariff_ids": [],
        "last_updated": now,
    }
    return site, station, evse, connector


async def seed_roaming(
    env: dict[str, str], station_ids: list[str], version: str, partner_url: str | None
) -> None:
    """Publish EVSE 1 of each station and register the partner (locations Receiver at
    `partner_url`, none without it)."""
    from sqlalchemy import insert

    from shared.config import DatabaseSettings
    from shared.domain.partners import PartnerEndpoint, PartyRole
    from shared.secrets import hash_token
    from shared.store import tables
    from shared.store.database import Database
    from shared.store.migrate import upgrade_database
    from shared.store.partners import Registration, create_registered
    from shared.store.uow import UnitOfWork

    database = Database(
        DatabaseSettings(
            url=env["CSMS_DATABASE__URL"], schema_name=env.get("CSMS_DATABASE__SCHEMA_NAME")
        )
    )
    try:
        await upgrade_database(database)
        now = datetime.now(UTC)
        rows = [_rows(station_id, version, now) for station_id in station_ids]
        async with database.begin() as conn:
            if rows:
                await conn.execute(insert(tables.locations), [r[0] for r in rows])
                await conn.execute(insert(tables.stations), [r[1] for r in rows])
                await conn.execute(insert(tables.evses), [r[2] for r in rows])
                await conn.execute(insert(tables.connectors), [r[3] for r in rows])
        endpoints = (PartnerEndpoint("locations", "RECEIVER", partner_url),) if partner_url else ()
        registration = Registration(
            roles=(PartyRole("EMSP", "NL", "EMS", "Bench eMSP"),),
            endpoints=endpoints,
            versions_url="http://127.0.0.1:9/versions",
            version="2.2.1",
            incoming_token_hash=hash_token(PARTNER_TOKEN),
            outgoing_token="bench-our-token",
        )
        async with database.begin() as conn:
            await create_registered(UnitOfWork(conn, None), "bench", registration)
    finally:
        await database.dispose()
