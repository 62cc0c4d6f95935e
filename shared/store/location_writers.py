"""In-transaction writers that keep published locations current (see `location_links`).

They run inside the transaction that stored the change (`EventBus.add_transactional_writer`):

- a connector status change bumps its site's `last_updated` (mod_locations, *GET List*: an
  EVSE or connector update also updates the parent Location) — always forward, and always
  to a new value (`locations.next_stamp`), which is what the gateway's kept renderings are
  validated by;
- the first status of a connector of a linked station publishes it (and its new EVSE) like
  the station's other EVSEs, so stations linked before they connected, or that grow EVSEs,
  publish everything they have;
- a station (re)connecting or disconnecting bumps its EVSEs and sites: their status is
  UNKNOWN while it is offline (mod_locations, Status: UNKNOWN is also used when offline).

Every statement is deferred (one executemany per batch); the few reads happen only for a
connector seen for the first time.
"""

from __future__ import annotations

import functools

from sqlalchemy import Update, and_, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.domain.locations import EvseSpec, Site
from shared.events import (
    ConnectorStatusChanged,
    EventBus,
    StationConnected,
    StationDisconnected,
)
from shared.store.location_links import (
    bound_uids,
    connector_spec_for,
    connector_values,
    emi3_evse_id,
    evse_uid_for,
    fresh_uid,
    pick_spec,
    station_evses,
)
from shared.store.locations import get_site, next_stamp
from shared.store.tables import connectors, evses, locations
from shared.store.types import UtcDateTime
from shared.store.uow import UnitOfWork

__all__ = ["register_location_writers"]

_SITE_OF_EVSE = (
    select(evses.c.location_id)
    .where(evses.c.station_id == bindparam("sid"), evses.c.evse_id == bindparam("eid"))
    .scalar_subquery()
)


@functools.cache
def _site_bumps(dialect: str) -> tuple[Update, Update, Update]:
    """The statements that move sites' `last_updated` (`next_stamp`), for `dialect`: the
    site of an EVSE, a site by id, the sites of a station. Built once: deferred statements
    are grouped by identity."""
    at = bindparam("at", type_=UtcDateTime())
    stamp = {"last_updated": next_stamp(dialect, at)}
    of_evse = update(locations).where(locations.c.id == _SITE_OF_EVSE).values(stamp)
    by_id = update(locations).where(locations.c.id == bindparam("lid")).values(stamp)
    of_station = (
        update(locations)
        .where(
            locations.c.id.in_(
                select(evses.c.location_id).where(
                    evses.c.station_id == bindparam("sid"), evses.c.location_id.is_not(None)
                )
            )
        )
        .values(stamp)
    )
    return of_evse, by_id, of_station


_BUMP_STATION_EVSES = (
    update(evses)
    .where(evses.c.station_id == bindparam("sid"), evses.c.location_id.is_not(None))
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
    of_evse, _, _ = _site_bumps(uow.conn.dialect.name)
    uow.defer(of_evse, {"sid": event.station_id, "eid": event.evse_id, "at": uow.now})
    if event.previous_status is None and event.evse_id > 0:
        await _link_new_connector(uow, event)


async def _on_station_seen(uow: UnitOfWork, event: StationConnected | StationDisconnected) -> None:
    params = {"sid": event.station_id, "at": uow.now}
    uow.defer(_BUMP_STATION_EVSES, params)
    uow.defer(_site_bumps(uow.conn.dialect.name)[2], params)


async def _link_new_connector(uow: UnitOfWork, event: ConnectorStatusChanged) -> None:
    """A connector reported for the first time: publish it (and its EVSE) like its
    station's other EVSEs, when the station is linked."""
    rows = await station_evses(uow.conn, event.station_id)
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
    spec, uid = await _claim(uow.conn, site, event)
    published = spec.evse_id if spec and spec.evse_id else None
    uow.defer(
        _LINK_NEW_EVSE,
        {
            "sid": event.station_id,
            "eid": event.evse_id,
            "lid": site.id,
            "uid": uid,
            # The site's party: the writer does not know [ocpi], and sites are ours.
            "pub": published
            or emi3_evse_id(site.country_code, site.party_id, event.station_id, event.evse_id),
            "ref": spec.physical_reference if spec else None,
            "floor": spec.floor_level if spec else None,
            "caps": list(spec.capabilities) if spec and spec.capabilities else None,
            "at": uow.now,
        },
    )
    _defer_connector(uow, event, spec, sibling_tariffs)
    uow.defer(_site_bumps(uow.conn.dialect.name)[1], {"lid": site.id, "at": uow.now})


async def _claim(
    conn: AsyncConnection, site: Site, event: ConnectorStatusChanged
) -> tuple[EvseSpec | None, str]:
    """The description a new EVSE takes over at `site`, and its uid."""
    bound = await bound_uids(conn, [spec.uid for spec in site.evse_specs])
    free = [s for s in site.evse_specs if s.uid not in bound and s.status != "REMOVED"]
    generated = evse_uid_for(event.station_id, event.evse_id)
    spec = pick_spec(free, generated)
    if spec is not None:
        return spec, spec.uid
    if generated in await bound_uids(conn, [generated]):
        return None, fresh_uid(event.station_id, event.evse_id)
    return None, generated


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
    values = connector_values(connector_spec_for(spec, event.connector_id, index), None)
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
