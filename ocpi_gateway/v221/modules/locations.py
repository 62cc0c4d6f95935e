"""*Locations* module, 2.2.1, Sender interface (mod_locations): GET list and GET object.

The list is paginated (`ocpi_gateway.pagination`) by the site's `last_updated`, which
in-transaction writers bump whenever one of its EVSEs or connectors changes; every partner
sees every location (locations are meant for all eMSPs). Objects are looked up as CiStrings:
an id that differs only in case finds the same location, EVSE or connector.

Pages and objects are served from rendered documents (`location_documents`): a page is one
index-only keyset query for the keys (on the driver, `shared.store.hot_reads`), then the
kept bytes of every site whose key has not changed, and one batch of loads for the others
(docs/adr/0002-ocpi-pagination.md).
"""

from __future__ import annotations

from typing import Any

import orjson

from ocpi_gateway.errors import UnknownLocationError
from ocpi_gateway.pagination import paged_result, parse_page_request
from ocpi_gateway.routing import (
    ModuleSpec,
    OcpiRequest,
    OcpiResult,
    Rendered,
    RenderedList,
    Route,
)
from ocpi_gateway.v221.location_documents import location_documents
from shared.store.location_reads import count_sites

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "MODULE"]

#: Locations per page when the client names no `limit`, and the most we send
#: (docs/adr/0002-ocpi-pagination.md: ~6 kB per location of ten EVSEs).
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


async def list_locations(request: OcpiRequest) -> OcpiResult:
    """GET {locations}?date_from&date_to&offset&limit."""
    page = parse_page_request(
        request.query, now=request.received_at, max_limit=MAX_LIMIT, default_limit=DEFAULT_LIMIT
    )
    keys = await request.reads.page_site_keys(
        page.window, limit=page.limit, after=page.after, offset=page.offset
    )
    total = page.total
    if total is None:  # the first page of a crawl (the cursor carries it on)
        async with request.services.database.read() as conn:
            total = await count_sites(conn, page.window)
    documents = await location_documents(request.services.database, request.documents, keys.keys)
    return paged_result(
        request.url,
        page,
        RenderedList(documents),
        returned=len(keys.keys),
        total=total,
        last=keys.last,
        more=keys.more,
    )


async def _location(request: OcpiRequest) -> bytes:
    wanted = request.path_params["location_id"]
    key = await request.reads.find_site_key(wanted)
    database = request.services.database
    documents = await location_documents(database, request.documents, [key]) if key else []
    if not documents:
        raise UnknownLocationError(f"unknown location {wanted!r}")
    return documents[0]


def _parsed(document: bytes) -> dict[str, Any]:
    # orjson reads back exactly what it wrote (floats as the shortest text that round-trips),
    # and EVSEs and connectors hold no numbers but integers anyway.
    parsed: dict[str, Any] = orjson.loads(document)
    return parsed


def _evse(location: dict[str, Any], wanted: str) -> dict[str, Any]:
    for evse in location.get("evses") or ():
        if str(evse["uid"]).upper() == wanted.upper():
            return dict(evse)
    raise UnknownLocationError(f"location {location['id']!r} has no EVSE {wanted!r}")


async def get_location(request: OcpiRequest) -> OcpiResult:
    """GET {locations}/{location_id}."""
    return OcpiResult(Rendered(await _location(request)))


async def get_evse(request: OcpiRequest) -> OcpiResult:
    """GET {locations}/{location_id}/{evse_uid}."""
    location = _parsed(await _location(request))
    return OcpiResult(_evse(location, request.path_params["evse_uid"]))


async def get_connector(request: OcpiRequest) -> OcpiResult:
    """GET {locations}/{location_id}/{evse_uid}/{connector_id}."""
    location = _parsed(await _location(request))
    evse = _evse(location, request.path_params["evse_uid"])
    wanted = request.path_params["connector_id"].upper()
    for connector in evse["connectors"]:
        if str(connector["id"]).upper() == wanted:
            return OcpiResult(connector)
    raise UnknownLocationError(f"EVSE {evse['uid']!r} has no connector {wanted!r}")


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
