"""*Locations* module, 2.2.1, Sender interface (mod_locations): GET list and GET object.

The list is paginated (`ocpi_gateway.pagination`) by the site's `last_updated`, which
in-transaction writers bump whenever one of its EVSEs or connectors changes; every partner
sees every location (locations are meant for all eMSPs). Objects are looked up as CiStrings:
an id that differs only in case finds the same location, EVSE or connector.
"""

from __future__ import annotations

from pydantic import ValidationError

from ocpi_gateway.errors import UnknownLocationError
from ocpi_gateway.pagination import paged_result, parse_page_request
from ocpi_gateway.routing import ModuleSpec, OcpiRequest, OcpiResult, Route
from ocpi_gateway.v221.mapping.locations import location_to_wire
from ocpi_gateway.v221.models import Location
from shared.domain.locations import SiteView
from shared.logging import get_logger
from shared.store.locations import count_sites, find_site_id, get_site_view, page_sites
from shared.store.paging import Cursor

__all__ = ["MAX_LIMIT", "MODULE"]

log = get_logger("laddpunkt.ocpi.locations")

#: Most locations per page (each may carry many EVSEs).
MAX_LIMIT = 200


def _to_wire(views: list[SiteView]) -> list[Location]:
    result = []
    for view in views:
        try:
            result.append(location_to_wire(view))
        except ValidationError as exc:
            # transport_and_format, *GET*: better one object less than a list nobody reads.
            log.error("ocpi.locations.unsendable", location=view.site.id, error=str(exc))
    return result


async def list_locations(request: OcpiRequest) -> OcpiResult:
    """GET {locations}?date_from&date_to&offset&limit."""
    page = parse_page_request(request.query, now=request.received_at, max_limit=MAX_LIMIT)
    async with request.services.database.read() as conn:
        views, more = await page_sites(
            conn, page.window, limit=page.limit, after=page.after, offset=page.offset
        )
        total = page.total if page.total is not None else await count_sites(conn, page.window)
    last = None
    if views:
        site = views[-1].site
        assert site.last_updated is not None  # stored sites always have it
        last = Cursor(site.last_updated, site.id)
    return paged_result(request.url, page, _to_wire(views), total=total, last=last, more=more)


async def _location(request: OcpiRequest) -> Location:
    wanted = request.path_params["location_id"]
    async with request.services.database.read() as conn:
        found = await find_site_id(conn, wanted)
        view = await get_site_view(conn, found) if found is not None else None
    if view is None:
        raise UnknownLocationError(f"unknown location {wanted!r}")
    return location_to_wire(view)


async def get_location(request: OcpiRequest) -> OcpiResult:
    """GET {locations}/{location_id}."""
    return OcpiResult(await _location(request))


async def get_evse(request: OcpiRequest) -> OcpiResult:
    """GET {locations}/{location_id}/{evse_uid}."""
    location = await _location(request)
    wanted = request.path_params["evse_uid"].upper()
    for evse in location.evses or ():
        if evse.uid.upper() == wanted:
            return OcpiResult(evse)
    raise UnknownLocationError(f"location {location.id!r} has no EVSE {wanted!r}")


async def get_connector(request: OcpiRequest) -> OcpiResult:
    """GET {locations}/{location_id}/{evse_uid}/{connector_id}."""
    evse = (await get_evse(request)).data
    wanted = request.path_params["connector_id"].upper()
    for connector in evse.connectors:
        if connector.id.upper() == wanted:
            return OcpiResult(connector)
    raise UnknownLocationError(f"EVSE {evse.uid!r} has no connector {wanted!r}")


MODULE = ModuleSpec(
    identifier="locations",
    role="SENDER",
    routes=(
        Route("GET", "", list_locations),
        Route("GET", "/{location_id}", get_location),
        Route("GET", "/{location_id}/{evse_uid}", get_evse),
        Route("GET", "/{location_id}/{evse_uid}/{connector_id}", get_connector),
    ),
)
