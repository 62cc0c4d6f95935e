"""Charging locations: the operator's sites and the live EVSEs published under them.

Rows: `locations` (one per site; `details` holds the descriptive attributes and the EVSE
descriptions, see `_details_json`), `evses`/`connectors` (written by the OCPP side; the link
columns — `location_id`, `evse_uid`, `ocpi_evse_id`, connector facts, `tariff_ids` — by
`location_links`). What partners see of a site (`SiteView`s, pages, keys) is read by
`location_reads`.

`last_updated` of a site is kept current by in-transaction writers (`location_links`): a
connector's status change bumps its site in the same transaction, so a list filtered by
`date_from` sees every site whose EVSEs changed.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    Update,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.domain.locations import (
    ConnectorSpec,
    EvseSpec,
    GeoPoint,
    Site,
)
from shared.events import LocationChanged
from shared.store.tables import locations
from shared.store.types import UtcDateTime
from shared.store.uow import UnitOfWork
from shared.store.upsert import upsert

__all__ = [
    "LOCATION_COLUMN_LIMITS",
    "bump_site",
    "find_site_id",
    "get_site",
    "next_stamp",
    "save_site",
    "site_exists",
    "site_from_row",
    "spec_from_json",
    "spec_json",
]

#: Column widths of `locations` that are narrower than what a site may hold.
LOCATION_COLUMN_LIMITS: dict[str, int] = {
    name: int(getattr(locations.c[name].type, "length", 0) or 0)
    for name in ("name", "address", "city", "postal_code", "state", "country", "time_zone")
}

_REMOVED = "REMOVED"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _connector_json(spec: ConnectorSpec) -> dict[str, Any]:
    return {
        "connector_id": spec.connector_id,
        "standard": spec.standard,
        "format": spec.format,
        "power_type": spec.power_type,
        "max_voltage": spec.max_voltage,
        "max_amperage": spec.max_amperage,
        "max_electric_power": spec.max_electric_power,
        "tariff_ids": list(spec.tariff_ids) if spec.tariff_ids is not None else None,
        "terms_and_conditions": spec.terms_and_conditions,
        "last_updated": _iso(spec.last_updated),
    }


def _connector_from_json(data: Mapping[str, Any]) -> ConnectorSpec:
    tariffs = data.get("tariff_ids")
    return ConnectorSpec(
        connector_id=str(data["connector_id"]),
        standard=data.get("standard"),
        format=data.get("format"),
        power_type=data.get("power_type"),
        max_voltage=data.get("max_voltage"),
        max_amperage=data.get("max_amperage"),
        max_electric_power=data.get("max_electric_power"),
        tariff_ids=tuple(tariffs) if tariffs is not None else None,
        terms_and_conditions=data.get("terms_and_conditions"),
        last_updated=_parse_time(data.get("last_updated")),
    )


def spec_json(spec: EvseSpec) -> dict[str, Any]:
    """The stored (JSON) form of an EVSE description."""
    return {
        "uid": spec.uid,
        "status": spec.status,
        "evse_id": spec.evse_id,
        "capabilities": list(spec.capabilities) if spec.capabilities is not None else None,
        "floor_level": spec.floor_level,
        "physical_reference": spec.physical_reference,
        "connectors": [_connector_json(c) for c in spec.connectors],
        "extra": dict(spec.extra),
        "last_updated": _iso(spec.last_updated),
    }


def spec_from_json(data: Mapping[str, Any]) -> EvseSpec:
    """An EVSE description from its stored form."""
    capabilities = data.get("capabilities")
    return EvseSpec(
        uid=str(data["uid"]),
        status=str(data.get("status") or "UNKNOWN"),
        evse_id=data.get("evse_id"),
        capabilities=tuple(capabilities) if capabilities is not None else None,
        floor_level=data.get("floor_level"),
        physical_reference=data.get("physical_reference"),
        connectors=tuple(_connector_from_json(c) for c in data.get("connectors") or ()),
        extra=dict(data.get("extra") or {}),
        last_updated=_parse_time(data.get("last_updated")),
    )


def _details_json(site: Site) -> dict[str, Any]:
    return {"attributes": dict(site.details), "evses": [spec_json(s) for s in site.evse_specs]}


def site_from_row(row: Row[Any]) -> Site:
    """The `Site` of a `locations` row."""
    details = row.details or {}
    return Site(
        id=row.id,
        country_code=row.country_code,
        party_id=row.party_id,
        publish=row.publish,
        name=row.name,
        address=row.address,
        city=row.city,
        postal_code=row.postal_code,
        state=row.state,
        country=row.country,
        coordinates=GeoPoint(row.latitude, row.longitude),
        time_zone=row.time_zone,
        details=dict(details.get("attributes") or {}),
        evse_specs=tuple(spec_from_json(s) for s in details.get("evses") or ()),
        last_updated=row.last_updated,
    )


async def site_exists(conn: AsyncConnection, location_id: str) -> bool:
    """True when a site with this id exists."""
    row = (await conn.execute(select(locations.c.id).where(locations.c.id == location_id))).first()
    return row is not None


async def find_site_id(conn: AsyncConnection, location_id: str) -> str | None:
    """The stored id of site `location_id`, compared as a CiString (case-insensitive).

    The exact id is an index lookup; only a miss falls back to comparing upper-cased.
    """
    exact = select(locations.c.id).where(locations.c.id == location_id)
    row = (await conn.execute(exact)).first()
    if row is None:
        loose = select(locations.c.id).where(func.upper(locations.c.id) == location_id.upper())
        row = (await conn.execute(loose.limit(1))).first()
    return row.id if row is not None else None


async def get_site(conn: AsyncConnection, location_id: str) -> Site | None:
    """The site as the operator described it (without live EVSEs), or None."""
    row = (await conn.execute(select(locations).where(locations.c.id == location_id))).first()
    return site_from_row(row) if row is not None else None


def _keep_removed(previous: Site | None, site: Site, bound: set[str]) -> tuple[EvseSpec, ...]:
    """mod_locations, *Flow and Lifecycle*: EVSEs are never deleted. A described EVSE the
    new description leaves out (and no station provides) stays, as REMOVED."""
    if previous is None:
        return site.evse_specs
    kept = {spec.uid for spec in site.evse_specs}
    tombstones = [
        EvseSpec(
            uid=spec.uid,
            status=_REMOVED,
            evse_id=spec.evse_id,
            capabilities=spec.capabilities,
            floor_level=spec.floor_level,
            physical_reference=spec.physical_reference,
            connectors=spec.connectors,
            extra=spec.extra,
            last_updated=spec.last_updated if spec.status == _REMOVED else None,
        )
        for spec in previous.evse_specs
        if spec.uid not in kept and spec.uid not in bound
    ]
    return (*site.evse_specs, *tombstones)


async def save_site(uow: UnitOfWork, site: Site) -> bool:
    """Create or replace a site (the operator's import); True when it was created.

    EVSEs of linked stations that the new description describes get its connector facts
    and identity at once (`location_links.apply_spec`). Emits `LocationChanged`.
    """
    from shared.store.location_links import apply_spec, bound_uids

    previous = await get_site(uow.conn, site.id)
    specs = site.evse_specs
    bound = await bound_uids(uow.conn, [s.uid for s in specs] + _uids(previous))
    stamped = tuple(_stamp(spec, uow.now) for spec in _keep_removed(previous, site, set(bound)))
    stored = Site(**{**_fields(site), "evse_specs": stamped, "last_updated": uow.now})
    values = _row_values(stored)
    # A new site starts at now; a replaced one moves on from its stored stamp (`next_stamp`).
    kept = [k for k in values if k not in ("id", "last_updated")]
    await uow.conn.execute(upsert(uow.conn.dialect.name, locations, ["id"], kept), values)
    if previous is not None:
        await bump_site(uow, site.id)
    for spec in specs:
        where = bound.get(spec.uid)
        if where is not None and where[0] == site.id:
            await apply_spec(uow, where[1], where[2], spec)
    uow.emit(LocationChanged(at=uow.now, location_id=site.id))
    return previous is None


def _uids(site: Site | None) -> list[str]:
    return [spec.uid for spec in site.evse_specs] if site is not None else []


def _stamp(spec: EvseSpec, now: datetime) -> EvseSpec:
    if spec.last_updated is not None:
        return spec
    return EvseSpec(**{**_spec_fields(spec), "last_updated": now})


def _fields(site: Site) -> dict[str, Any]:
    return {name: getattr(site, name) for name in Site.__dataclass_fields__}


def _spec_fields(spec: EvseSpec) -> dict[str, Any]:
    return {name: getattr(spec, name) for name in EvseSpec.__dataclass_fields__}


def _row_values(site: Site) -> dict[str, Any]:
    return {
        "id": site.id,
        "country_code": site.country_code,
        "party_id": site.party_id,
        "publish": site.publish,
        "name": site.name,
        "address": site.address,
        "city": site.city,
        "postal_code": site.postal_code,
        "state": site.state,
        "country": site.country,
        "latitude": site.coordinates.latitude,
        "longitude": site.coordinates.longitude,
        "time_zone": site.time_zone,
        "details": _details_json(site),
        "last_updated": site.last_updated,
    }


def next_stamp(dialect: str, at: ColumnElement[Any]) -> ColumnElement[Any]:
    """A site's new `last_updated` for a change at `at` (SQL, per dialect).

    It is `at`, unless the stored value is not older — a batch that took its time before
    another one committed, another node's clock, a clock stepped back — and then the stored
    value plus one microsecond. So every change moves it, and forward: a partner syncing by
    `date_from` sees the site again, and the gateway's kept renderings, which are valid for
    one stored value, are never served after a change (docs/adr/0002-ocpi-pagination.md).
    """
    stored = locations.c.last_updated
    if dialect == "postgresql":
        return func.greatest(stored + literal_column("INTERVAL '1 microsecond'"), at)
    # SQLite keeps it as text, "YYYY-MM-DD HH:MM:SS.ffffff" (compared as text).
    micros = cast(func.substr(stored, 21), Integer)
    return case(
        (stored < at, at),
        (micros < 999_999, func.substr(stored, 1, 20).concat(func.printf("%06d", micros + 1))),
        # Whole seconds only: SQLite's date functions round fractions to milliseconds.
        else_=func.strftime("%Y-%m-%d %H:%M:%S", func.substr(stored, 1, 19), "+1 second").concat(
            ".000000"
        ),
    )


@functools.cache
def _bump_statement(dialect: str) -> Update:
    at = bindparam("at", type_=UtcDateTime())
    return (
        update(locations)
        .where(locations.c.id == bindparam("lid"))
        .values(last_updated=next_stamp(dialect, at))
    )


async def bump_site(uow: UnitOfWork, location_id: str) -> None:
    """Mark a site changed now (its EVSEs or connectors changed); see `next_stamp`."""
    statement = _bump_statement(uow.conn.dialect.name)
    await uow.conn.execute(statement, {"lid": location_id, "at": uow.now})
