"""Reading published locations: sites with their live EVSEs, pages of them, and their keys.

A `SiteView` is a site with the live EVSEs of the stations linked to it (status, station
connectivity, published identity and connector facts) and the described EVSEs no station
provides. Building one costs three index lookups per batch of sites (`get_site_views`).

The *key* of a site is its `(last_updated, id)` — a `Cursor`. `last_updated` is bumped in
the same transaction as anything published under the site changes (`location_writers`,
`location_links`, `save_site`), so a key read now tells whether a rendering made earlier is
still current; `page_site_keys` and `find_site_key` read keys only, from the
`(last_updated, id)` index, which lets the gateway serve pages from rendered documents
without loading what has not changed (docs/adr/0002-ocpi-pagination.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.domain.locations import EvseSpec, LiveConnector, LiveEvse, Site, SiteView
from shared.domain.stations import ConnectorStatus
from shared.store.locations import site_from_row
from shared.store.paging import Cursor, Window, count_in_window, page_query
from shared.store.tables import connectors, evses, locations, stations

__all__ = [
    "count_sites",
    "find_site_key",
    "get_site_view",
    "get_site_views",
    "get_site_views_by_id",
    "page_site_keys",
    "page_sites",
]


def _live_connector(row: Row[Any]) -> LiveConnector:
    return LiveConnector(
        connector_id=row.connector_id,
        status=ConnectorStatus(row.status),
        standard=row.standard,
        format=row.format,
        power_type=row.power_type,
        max_voltage=row.max_voltage,
        max_amperage=row.max_amperage,
        max_electric_power=row.max_electric_power,
        tariff_ids=tuple(row.tariff_ids or ()),
        last_updated=row.last_updated,
    )


def _live_evse(
    row: Row[Any], plugs: Sequence[LiveConnector], spec: EvseSpec | None, connected: bool
) -> LiveEvse:
    newest = max([row.last_updated, *(c.last_updated for c in plugs)])
    capabilities = row.capabilities
    return LiveEvse(
        station_id=row.station_id,
        evse_id=row.evse_id,
        uid=row.evse_uid,
        status=ConnectorStatus(row.status),
        station_connected=connected,
        removed=row.removed,
        connectors=tuple(plugs),
        last_updated=newest,
        published_evse_id=row.ocpi_evse_id,
        capabilities=tuple(capabilities) if capabilities is not None else None,
        floor_level=row.floor_level,
        physical_reference=row.physical_reference,
        spec=spec,
    )


async def _live_evses(conn: AsyncConnection, sites: Sequence[Site]) -> dict[str, list[LiveEvse]]:
    # Three index lookups (by location, by station id, by station id prefix of the
    # connectors' key): joins here tempt planners into full scans on large tables.
    ids = [site.id for site in sites]
    specs = {spec.uid: spec for site in sites for spec in site.evse_specs}
    evse_rows = (
        await conn.execute(
            select(evses)
            .where(evses.c.location_id.in_(ids), evses.c.evse_uid.is_not(None), evses.c.evse_id > 0)
            .order_by(evses.c.location_id, evses.c.station_id, evses.c.evse_id)
        )
    ).all()
    station_ids = sorted({row.station_id for row in evse_rows})
    if not station_ids:
        return {}
    online_rows = await conn.execute(
        select(stations.c.id, stations.c.connected).where(stations.c.id.in_(station_ids))
    )
    online = {row.id: bool(row.connected) for row in online_rows}
    plug_rows = await conn.execute(
        select(connectors)
        .where(connectors.c.station_id.in_(station_ids))
        .order_by(connectors.c.station_id, connectors.c.evse_id, connectors.c.connector_id)
    )
    plugs: dict[tuple[str, int], list[LiveConnector]] = {}
    for row in plug_rows:
        plugs.setdefault((row.station_id, row.evse_id), []).append(_live_connector(row))
    result: dict[str, list[LiveEvse]] = {}
    for row in evse_rows:
        key = (row.station_id, row.evse_id)
        spec = specs.get(row.evse_uid)
        evse = _live_evse(row, plugs.get(key, []), spec, online.get(row.station_id, False))
        result.setdefault(row.location_id, []).append(evse)
    return result


async def get_site_views(conn: AsyncConnection, sites: Sequence[Site]) -> list[SiteView]:
    """`sites` with their live EVSEs and unprovided EVSE descriptions, in the same order."""
    from shared.store.location_links import bound_uids

    if not sites:
        return []
    live = await _live_evses(conn, sites)
    bound = await bound_uids(conn, [spec.uid for site in sites for spec in site.evse_specs])
    views = []
    for site in sites:
        site_evses = live.get(site.id, [])
        static = tuple(spec for spec in site.evse_specs if spec.uid not in bound)
        stamps: list[datetime] = [e.last_updated for e in site_evses]
        stamps += [s.last_updated for s in static if s.last_updated is not None]
        assert site.last_updated is not None  # always set on stored sites
        newest = max([site.last_updated, *stamps])
        views.append(SiteView(site, tuple(site_evses), static, newest))
    return views


async def get_site_view(conn: AsyncConnection, location_id: str) -> SiteView | None:
    """One site with everything published under it, or None."""
    views = await get_site_views_by_id(conn, [location_id])
    return views.get(location_id)


async def get_site_views_by_id(conn: AsyncConnection, ids: Sequence[str]) -> dict[str, SiteView]:
    """The views of the sites with these (exact) ids that exist, by id."""
    if not ids:
        return {}
    rows = (await conn.execute(select(locations).where(locations.c.id.in_(list(ids))))).all()
    views = await get_site_views(conn, [site_from_row(row) for row in rows])
    return {view.site.id: view for view in views}


async def page_sites(
    conn: AsyncConnection,
    window: Window,
    *,
    limit: int,
    after: Cursor | None = None,
    offset: int = 0,
) -> tuple[list[SiteView], bool]:
    """One page of sites by `(last_updated, id)` within `window` (see `shared.store.paging`),
    and whether more follow. `SiteView.site.last_updated` is the sort key (the cursor)."""
    query = page_query(
        select(locations),
        locations.c.last_updated,
        locations.c.id,
        window=window,
        limit=limit + 1,
        after=after,
        offset=offset,
    )
    rows = (await conn.execute(query)).all()
    views = await get_site_views(conn, [site_from_row(row) for row in rows[:limit]])
    return views, len(rows) > limit


async def page_site_keys(
    conn: AsyncConnection,
    window: Window,
    *,
    limit: int,
    after: Cursor | None = None,
    offset: int = 0,
) -> tuple[list[Cursor], bool]:
    """The keys of one page of sites (as `page_sites` orders them), and whether more follow.

    Only `last_updated` and `id` are read: the `(last_updated, id)` index covers the query.
    """
    query = page_query(
        select(locations.c.last_updated, locations.c.id),
        locations.c.last_updated,
        locations.c.id,
        window=window,
        limit=limit + 1,
        after=after,
        offset=offset,
    )
    rows = (await conn.execute(query)).all()
    return [Cursor(row[0], row[1]) for row in rows[:limit]], len(rows) > limit


async def find_site_key(conn: AsyncConnection, location_id: str) -> Cursor | None:
    """The key of site `location_id`, its id compared as a CiString (case-insensitive).

    The exact id is an index lookup; only a miss falls back to comparing upper-cased.
    """
    columns = select(locations.c.last_updated, locations.c.id)
    row = (await conn.execute(columns.where(locations.c.id == location_id))).first()
    if row is None:
        loose = columns.where(func.upper(locations.c.id) == location_id.upper()).limit(1)
        row = (await conn.execute(loose)).first()
    return Cursor(row[0], row[1]) if row is not None else None


async def count_sites(conn: AsyncConnection, window: Window) -> int:
    """How many sites lie within `window`."""
    query = count_in_window(locations, locations.c.last_updated, window)
    return int((await conn.execute(query)).scalar_one())
