"""Publishing stations' EVSEs under sites: linking, identities, and keeping `last_updated`.

`link_station` puts every EVSE of a station under a site. Each EVSE gets a published
identity that never changes afterwards (mod_locations, EVSE `uid`: unique at the CPO, never
changed): the uid of the site's EVSE description it takes over (one whose uid is the
generated one first, else the first unprovided description in the operator's order), or a
generated one (`evse_uid_for`). Connector facts come from the description, else defaults at
read time; `--tariff` sets the connectors' `tariff_ids`.

An EVSE moved to another site leaves a REMOVED copy of itself at the old site and gets a
new uid (EVSEs are never deleted, and a uid is not reused at another location). Unlinking
marks the EVSEs `removed`; they stay listed with status REMOVED.

In-transaction writers (`register_location_writers`) keep the rest current:

- a connector status change bumps its site's `last_updated` (mod_locations, *GET List*: an
  EVSE or connector update also updates the parent Location);
- the first status of a connector of a linked station links its new EVSE too, so stations
  linked before they connected (or that grow EVSEs) publish everything they have;
- a station (re)connecting bumps its EVSEs and sites: their status is UNKNOWN while it is
  offline (mod_locations, Status: UNKNOWN is also used when offline).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.domain.locations import ConnectorSpec, EvseSpec, Site
from shared.domain.stations import ConnectorStatus
from shared.events import (
    ConnectorStatusChanged,
    EventBus,
    LocationChanged,
    StationConnected,
    StationDisconnected,
)
from shared.store.locations import bump_site, get_site, save_site
from shared.store.tables import connectors, evses, locations, stations
from shared.store.uow import UnitOfWork

__all__ = [
    "LinkError",
    "LinkResult",
    "apply_spec",
    "bound_uids",
    "emi3_evse_id",
    "evse_uid_for",
    "link_station",
    "register_location_writers",
    "unlink_station",
]

_UID_MAX = 36  # CiString(36)
_EVSE_ID_MAX = 48  # CiString(48)


class LinkError(Exception):
    """The link cannot be made (unknown site or station)."""


@dataclass(frozen=True, slots=True)
class LinkResult:
    """What linking published: (evse_id, uid) per EVSE of the station."""

    location_id: str
    station_id: str
    evses: tuple[tuple[int, str], ...]


def _clean(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text)


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def evse_uid_for(station_id: str, evse_id: int) -> str:
    """The generated uid of a station's EVSE: ``<station>-<n>``, shortened with a hash of
    the station id when it would not fit CiString(36) or holds other than [A-Za-z0-9-_.]."""
    plain = f"{station_id}-{evse_id}"
    if len(plain) <= _UID_MAX and re.fullmatch(r"[A-Za-z0-9._-]+", station_id):
        return plain
    suffix = f"-{_short_hash(station_id)}-{evse_id}"
    return _clean(station_id)[: _UID_MAX - len(suffix)] + suffix


def emi3_evse_id(country_code: str, party_id: str, station_id: str, evse_id: int) -> str:
    """An eMI3-style EVSE id, ``SE*LDP*E<STATION>*<n>`` (CiString(48)); the station part is
    cut and completed with a hash when it would not fit."""
    head = f"{country_code.upper()}*{party_id.upper()}*E"
    tail = f"*{evse_id}"
    station = _clean(station_id).upper()
    if len(head) + len(station) + len(tail) > _EVSE_ID_MAX:
        room = _EVSE_ID_MAX - len(head) - len(tail) - 8
        station = station[:room] + _short_hash(station_id).upper()
    return head + station + tail


async def bound_uids(
    conn: AsyncConnection, uids: Sequence[str]
) -> dict[str, tuple[str | None, str, int]]:
    """For each of `uids` that a station's EVSE carries: (its site, station, evse id)."""
    if not uids:
        return {}
    rows = await conn.execute(
        select(evses.c.evse_uid, evses.c.location_id, evses.c.station_id, evses.c.evse_id).where(
            evses.c.evse_uid.in_(list(set(uids)))
        )
    )
    return {row.evse_uid: (row.location_id, row.station_id, row.evse_id) for row in rows}


def _connector_values(spec: ConnectorSpec | None, tariff_ids: list[str] | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "standard": spec.standard if spec else None,
        "format": spec.format if spec else None,
        "power_type": spec.power_type if spec else None,
        "max_voltage": spec.max_voltage if spec else None,
        "max_amperage": spec.max_amperage if spec else None,
        "max_electric_power": spec.max_electric_power if spec else None,
    }
    if tariff_ids is not None:
        values["tariff_ids"] = tariff_ids
    elif spec is not None and spec.tariff_ids is not None:
        values["tariff_ids"] = list(spec.tariff_ids)
    return values


def _connector_spec(spec: EvseSpec | None, connector_id: int, index: int) -> ConnectorSpec | None:
    if spec is None or not spec.connectors:
        return None
    for candidate in spec.connectors:
        if candidate.connector_id == str(connector_id):
            return candidate
    return spec.connectors[index] if index < len(spec.connectors) else None


async def apply_spec(
    uow: UnitOfWork,
    station_id: str,
    evse_id: int,
    spec: EvseSpec | None,
    tariff_ids: list[str] | None = None,
) -> None:
    """Give a station's EVSE and its connectors the facts of `spec` (None: defaults)."""
    await uow.conn.execute(
        update(evses)
        .where(evses.c.station_id == station_id, evses.c.evse_id == evse_id)
        .values(
            physical_reference=spec.physical_reference if spec else None,
            floor_level=spec.floor_level if spec else None,
            capabilities=list(spec.capabilities) if spec and spec.capabilities else None,
            last_updated=uow.now,
        )
    )
    if spec is not None and spec.evse_id:
        await uow.conn.execute(
            update(evses)
            .where(evses.c.station_id == station_id, evses.c.evse_id == evse_id)
            .values(ocpi_evse_id=spec.evse_id)
        )
    rows = await uow.conn.execute(
        select(connectors.c.connector_id)
        .where(connectors.c.station_id == station_id, connectors.c.evse_id == evse_id)
        .order_by(connectors.c.connector_id)
    )
    for index, (connector_id,) in enumerate(rows.all()):
        values = _connector_values(_connector_spec(spec, connector_id, index), tariff_ids)
        await uow.conn.execute(
            update(connectors)
            .where(
                connectors.c.station_id == station_id,
                connectors.c.evse_id == evse_id,
                connectors.c.connector_id == connector_id,
            )
            .values(last_updated=uow.now, **values)
        )


async def _station_evses(conn: AsyncConnection, station_id: str) -> list[Any]:
    # EVSE 0 is the station as a whole (OCPP 1.6 connector 0): never published.
    rows = await conn.execute(
        select(evses)
        .where(evses.c.station_id == station_id, evses.c.evse_id > 0)
        .order_by(evses.c.evse_id)
    )
    return list(rows.all())


async def _placeholder(uow: UnitOfWork, station_id: str) -> None:
    """EVSE 1 / connector 1 of a station that has reported nothing yet: every charger has
    them, and the station's other EVSEs follow this one's link when they first report."""
    status = ConnectorStatus.UNAVAILABLE.value
    await uow.conn.execute(
        insert(evses).values(
            station_id=station_id,
            evse_id=1,
            status=status,
            removed=False,
            last_updated=uow.now,
        )
    )
    await uow.conn.execute(
        insert(connectors).values(
            station_id=station_id, evse_id=1, connector_id=1, status=status, last_updated=uow.now
        )
    )


def _pick_spec(site: Site, free: list[EvseSpec], generated: str) -> EvseSpec | None:
    for spec in free:
        if spec.uid == generated:
            return spec
    return free[0] if free else None


async def _tombstone(uow: UnitOfWork, row: Any) -> None:
    """Leave a REMOVED copy of a moved EVSE at its old site."""
    site = await get_site(uow.conn, row.location_id)
    if site is None:
        return
    plugs = await uow.conn.execute(
        select(connectors)
        .where(connectors.c.station_id == row.station_id, connectors.c.evse_id == row.evse_id)
        .order_by(connectors.c.connector_id)
    )
    copy = EvseSpec(
        uid=row.evse_uid,
        status="REMOVED",
        evse_id=row.ocpi_evse_id,
        connectors=tuple(
            ConnectorSpec(
                connector_id=str(p.connector_id),
                standard=p.standard,
                format=p.format,
                power_type=p.power_type,
                max_voltage=p.max_voltage,
                max_amperage=p.max_amperage,
                max_electric_power=p.max_electric_power,
                tariff_ids=tuple(p.tariff_ids) if p.tariff_ids is not None else None,
            )
            for p in plugs
        ),
        last_updated=uow.now,
    )
    fields = {name: getattr(site, name) for name in Site.__dataclass_fields__}
    await save_site(uow, Site(**{**fields, "evse_specs": (*site.evse_specs, copy)}))


def _fresh_uid(station_id: str, evse_id: int) -> str:
    suffix = "-" + secrets.token_hex(3)
    return evse_uid_for(station_id, evse_id)[: _UID_MAX - len(suffix)] + suffix


async def link_station(
    uow: UnitOfWork,
    location_id: str,
    station_id: str,
    *,
    tariff_ids: list[str] | None = None,
    party: tuple[str, str],
) -> LinkResult:
    """Publish every EVSE of `station_id` under site `location_id` (see module doc).

    `party` is our (country_code, party_id), for generated eMI3 EVSE ids. Raises
    `LinkError` for an unknown site or station.
    """
    site = await get_site(uow.conn, location_id)
    if site is None:
        raise LinkError(f"unknown location {location_id!r}: import it first")
    known = await uow.conn.execute(select(stations.c.id).where(stations.c.id == station_id))
    if known.first() is None:
        raise LinkError(f"unknown station {station_id!r}: add it or let it connect first")
    rows = await _station_evses(uow.conn, station_id)
    if not rows:
        await _placeholder(uow, station_id)
        rows = await _station_evses(uow.conn, station_id)
    bound = await bound_uids(uow.conn, [spec.uid for spec in site.evse_specs])
    free = [spec for spec in site.evse_specs if spec.uid not in bound and spec.status != "REMOVED"]
    published = []
    for row in rows:
        spec, uid = await _identity(uow, site, row, free)
        evse_id = spec.evse_id if spec and spec.evse_id else None
        await uow.conn.execute(
            update(evses)
            .where(evses.c.station_id == station_id, evses.c.evse_id == row.evse_id)
            .values(
                location_id=location_id,
                evse_uid=uid,
                ocpi_evse_id=evse_id or emi3_evse_id(*party, station_id, row.evse_id),
                removed=False,
            )
        )
        await apply_spec(uow, station_id, row.evse_id, spec, tariff_ids)
        published.append((row.evse_id, uid))
    await bump_site(uow, location_id)
    uow.emit(LocationChanged(at=uow.now, location_id=location_id))
    return LinkResult(location_id, station_id, tuple(published))


async def _identity(
    uow: UnitOfWork, site: Site, row: Any, free: list[EvseSpec]
) -> tuple[EvseSpec | None, str]:
    """The description an EVSE takes over (removed from `free`) and its uid."""
    if row.location_id == site.id and row.evse_uid:
        spec = next((s for s in site.evse_specs if s.uid == row.evse_uid), None)
        return spec, row.evse_uid
    if row.location_id is not None and row.evse_uid:
        await _tombstone(uow, row)
    generated = evse_uid_for(row.station_id, row.evse_id)
    spec = _pick_spec(site, free, generated)
    if spec is not None:
        free.remove(spec)
        return spec, spec.uid
    taken = await bound_uids(uow.conn, [generated])
    moved = row.location_id is not None and row.evse_uid
    if generated in taken or moved:
        return None, _fresh_uid(row.station_id, row.evse_id)
    return None, generated


async def unlink_station(uow: UnitOfWork, location_id: str, station_id: str) -> int:
    """Withdraw a station's EVSEs from a site: they stay listed, with status REMOVED."""
    result = await uow.conn.execute(
        update(evses)
        .where(evses.c.station_id == station_id, evses.c.location_id == location_id)
        .values(removed=True, last_updated=uow.now)
    )
    if result.rowcount:
        await bump_site(uow, location_id)
        uow.emit(LocationChanged(at=uow.now, location_id=location_id))
    return int(result.rowcount)


# --- in-transaction writers ----------------------------------------------------------------

_SITE_OF_EVSE = (
    select(evses.c.location_id)
    .where(evses.c.station_id == bindparam("sid"), evses.c.evse_id == bindparam("eid"))
    .scalar_subquery()
)
_BUMP_SITE_OF_EVSE = (
    update(locations)
    .where(locations.c.id == _SITE_OF_EVSE, locations.c.last_updated < bindparam("at"))
    .values(last_updated=bindparam("at"))
)
_BUMP_SITE = (
    update(locations)
    .where(locations.c.id == bindparam("lid"), locations.c.last_updated < bindparam("at"))
    .values(last_updated=bindparam("at"))
)
_BUMP_STATION_EVSES = (
    update(evses)
    .where(evses.c.station_id == bindparam("sid"), evses.c.location_id.is_not(None))
    .values(last_updated=bindparam("at"))
)
_BUMP_STATION_SITES = (
    update(locations)
    .where(
        locations.c.id.in_(
            select(evses.c.location_id).where(
                evses.c.station_id == bindparam("sid"), evses.c.location_id.is_not(None)
            )
        ),
        locations.c.last_updated < bindparam("at"),
    )
    .values(last_updated=bindparam("at"))
)
_LINK_NEW_EVSE = (
    update(evses)
    .where(
        evses.c.station_id == bindparam("sid"),
        evses.c.evse_id == bindparam("eid"),
        evses.c.location_id.is_(None),
    )
    .values(
        location_id=bindparam("lid"),
        evse_uid=bindparam("uid"),
        ocpi_evse_id=bindparam("pub"),
        physical_reference=bindparam("ref"),
        floor_level=bindparam("floor"),
        capabilities=bindparam("caps"),
        removed=False,
        last_updated=bindparam("at"),
    )
)
_NEW_CONNECTOR_FACTS = (
    update(connectors)
    .where(
        and_(
            connectors.c.station_id == bindparam("sid"),
            connectors.c.evse_id == bindparam("eid"),
            connectors.c.connector_id == bindparam("cid"),
        )
    )
    .values(
        standard=bindparam("std"),
        format=bindparam("fmt"),
        power_type=bindparam("pwr"),
        max_voltage=bindparam("volt"),
        max_amperage=bindparam("amp"),
        max_electric_power=bindparam("watt"),
        tariff_ids=bindparam("tariffs"),
    )
)


async def _on_status_changed(uow: UnitOfWork, event: ConnectorStatusChanged) -> None:
    uow.defer(_BUMP_SITE_OF_EVSE, {"sid": event.station_id, "eid": event.evse_id, "at": uow.now})
    if event.previous_status is None and event.evse_id > 0:
        await _link_new_connector(uow, event)


async def _on_station_seen(uow: UnitOfWork, event: StationConnected | StationDisconnected) -> None:
    params = {"sid": event.station_id, "at": uow.now}
    uow.defer(_BUMP_STATION_EVSES, params)
    uow.defer(_BUMP_STATION_SITES, params)


async def _link_new_connector(uow: UnitOfWork, event: ConnectorStatusChanged) -> None:
    """A connector reported for the first time: publish it (and its EVSE) like its
    station's other EVSEs, when the station is linked."""
    rows = await _station_evses(uow.conn, event.station_id)
    linked = [row for row in rows if row.location_id is not None and row.evse_uid]
    if not linked:
        return
    own = next((row for row in rows if row.evse_id == event.evse_id), None)
    sibling_tariffs = await _sibling_tariffs(uow.conn, event.station_id)
    if own is not None and own.location_id is not None:
        site = await get_site(uow.conn, own.location_id)
        spec = next((s for s in site.evse_specs if s.uid == own.evse_uid), None) if site else None
        _defer_connector(uow, event, spec, sibling_tariffs)
        return
    site = await get_site(uow.conn, linked[0].location_id)
    if site is None:
        return
    bound = await bound_uids(uow.conn, [spec.uid for spec in site.evse_specs])
    free = [s for s in site.evse_specs if s.uid not in bound and s.status != "REMOVED"]
    generated = evse_uid_for(event.station_id, event.evse_id)
    spec = _pick_spec(site, free, generated)
    uid = spec.uid if spec else generated
    if spec is None and generated in await bound_uids(uow.conn, [generated]):
        uid = _fresh_uid(event.station_id, event.evse_id)
    published = spec.evse_id if spec and spec.evse_id else None
    uow.defer(
        _LINK_NEW_EVSE,
        {
            "sid": event.station_id,
            "eid": event.evse_id,
            "lid": site.id,
            "uid": uid,
            "pub": published
            or emi3_evse_id(site.country_code, site.party_id, event.station_id, event.evse_id),
            "ref": spec.physical_reference if spec else None,
            "floor": spec.floor_level if spec else None,
            "caps": list(spec.capabilities) if spec and spec.capabilities else None,
            "at": uow.now,
        },
    )
    _defer_connector(uow, event, spec, sibling_tariffs)
    uow.defer(_BUMP_SITE, {"lid": site.id, "at": uow.now})


async def _sibling_tariffs(conn: AsyncConnection, station_id: str) -> list[str] | None:
    rows = await conn.execute(
        select(connectors.c.tariff_ids)
        .where(connectors.c.station_id == station_id)
        .order_by(connectors.c.evse_id, connectors.c.connector_id)
    )
    for (tariffs,) in rows:
        if tariffs is not None:  # JSON null reads back as None too
            return list(tariffs)
    return None


def _defer_connector(
    uow: UnitOfWork,
    event: ConnectorStatusChanged,
    spec: EvseSpec | None,
    sibling_tariffs: list[str] | None,
) -> None:
    index = event.connector_id - 1
    values = _connector_values(_connector_spec(spec, event.connector_id, index), None)
    uow.defer(
        _NEW_CONNECTOR_FACTS,
        {
            "sid": event.station_id,
            "eid": event.evse_id,
            "cid": event.connector_id,
            "std": values["standard"],
            "fmt": values["format"],
            "pwr": values["power_type"],
            "volt": values["max_voltage"],
            "amp": values["max_amperage"],
            "watt": values["max_electric_power"],
            "tariffs": values.get("tariff_ids", sibling_tariffs),
        },
    )


def register_location_writers(bus: EventBus) -> None:
    """Install the in-transaction writers that keep published locations current."""
    bus.add_transactional_writer(ConnectorStatusChanged, _on_status_changed)
    bus.add_transactional_writer(StationConnected, _on_station_seen)
    bus.add_transactional_writer(StationDisconnected, _on_station_seen)
