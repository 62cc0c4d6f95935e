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

`location_writers` keeps sites current as statuses change and stations grow EVSEs.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.domain.locations import ConnectorSpec, EvseSpec, Site
from shared.domain.stations import ConnectorStatus
from shared.events import (
    LocationChanged,
)
from shared.store.locations import bump_site, get_site, save_site
from shared.store.tables import connectors, evses, stations
from shared.store.uow import UnitOfWork

__all__ = [
    "LinkError",
    "LinkResult",
    "apply_spec",
    "bound_uids",
    "connector_spec_for",
    "connector_values",
    "emi3_evse_id",
    "evse_uid_for",
    "fresh_uid",
    "link_station",
    "pick_spec",
    "station_evses",
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


def connector_values(spec: ConnectorSpec | None, tariff_ids: list[str] | None) -> dict[str, Any]:
    """The `connectors` columns a description sets (None: defaults at read time)."""
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


def connector_spec_for(
    spec: EvseSpec | None, connector_id: int, index: int
) -> ConnectorSpec | None:
    """The description of a station's connector: same id, else same position."""
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
        values = connector_values(connector_spec_for(spec, connector_id, index), tariff_ids)
        await uow.conn.execute(
            update(connectors)
            .where(
                connectors.c.station_id == station_id,
                connectors.c.evse_id == evse_id,
                connectors.c.connector_id == connector_id,
            )
            .values(last_updated=uow.now, **values)
        )


async def station_evses(conn: AsyncConnection, station_id: str) -> list[Any]:
    """The station's EVSE rows, by EVSE id."""
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


def pick_spec(free: list[EvseSpec], generated: str) -> EvseSpec | None:
    """The description a new EVSE takes over: the one with its generated uid, else the
    first unprovided one."""
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


def fresh_uid(station_id: str, evse_id: int) -> str:
    """A uid never used before, for an EVSE whose generated one is taken."""
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
    rows = await station_evses(uow.conn, station_id)
    if not rows:
        await _placeholder(uow, station_id)
        rows = await station_evses(uow.conn, station_id)
    bound = await bound_uids(uow.conn, [spec.uid for spec in site.evse_specs])
    free = [spec for spec in site.evse_specs if spec.uid not in bound and spec.status != "REMOVED"]
    published = []
    for row in rows:
        spec, uid = await _identity(uow, site, row, free)
        await _publish(uow, site.id, row, spec, uid, party)
        await apply_spec(uow, station_id, row.evse_id, spec, tariff_ids)
        published.append((row.evse_id, uid))
    await bump_site(uow, location_id)
    uow.emit(LocationChanged(at=uow.now, location_id=location_id))
    return LinkResult(location_id, station_id, tuple(published))


async def _publish(
    uow: UnitOfWork,
    location_id: str,
    row: Any,
    spec: EvseSpec | None,
    uid: str,
    party: tuple[str, str],
) -> None:
    evse_id = spec.evse_id if spec and spec.evse_id else None
    await uow.conn.execute(
        update(evses)
        .where(evses.c.station_id == row.station_id, evses.c.evse_id == row.evse_id)
        .values(
            location_id=location_id,
            evse_uid=uid,
            ocpi_evse_id=evse_id or emi3_evse_id(*party, row.station_id, row.evse_id),
            removed=False,
        )
    )


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
    spec = pick_spec(free, generated)
    if spec is not None:
        free.remove(spec)
        return spec, spec.uid
    taken = await bound_uids(uow.conn, [generated])
    moved = row.location_id is not None and row.evse_uid
    if generated in taken or moved:
        return None, fresh_uid(row.station_id, row.evse_id)
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
