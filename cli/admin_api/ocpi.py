"""`/admin/` routes for roaming: partners, locations, tariffs (the `csms` CLI calls them).

```
POST   /admin/partners/invite                              {"name"} → 201 {token_a, versions_url}
POST   /admin/partners/connect                {"versions_url", "token", "name"?} → 201 partner
DELETE /admin/partners/{partner_id}?notify=true|false   unregister (tells the partner)
POST   /admin/locations                       a 2.2.1 Location or a list → {created, updated}
POST   /admin/locations/{location_id}/stations/{station_id}   {"tariff_id"?} → published EVSEs
DELETE /admin/locations/{location_id}/stations/{station_id}   its EVSEs become REMOVED
POST   /admin/tariffs                         a 2.2.1 Tariff or a list → {created, updated}
DELETE /admin/tariffs/{tariff_id}
```

Documents are validated whole before anything is stored (422 with the first problem);
unknown partners, locations, stations or tariffs are 404; a partner that cannot be reached
or refuses the registration is 502 with the OCPI status it ended in.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from cli.admin_api.errors import ApiError, InvalidBodyError, NotFoundError
from cli.admin_api.keys import SERVICES
from cli.admin_api.params import json_response, path_int, query_bool, read_body
from cli.views import partner_json
from ocpi_gateway.client import OcpiClient
from ocpi_gateway.errors import OcpiError
from ocpi_gateway.partners import MAX_NAME_LENGTH, invite_partner
from ocpi_gateway.services import OcpiServices
from ocpi_gateway.v221.operator import (
    DocumentError,
    ImportResult,
    delete_tariff_by_id,
    import_locations,
    import_tariffs,
    link_station_to_location,
    unlink_station_from_location,
)
from ocpi_gateway.v221.registration import connect, disconnect
from shared.store.location_links import LinkError
from shared.store.partners import get_partner

__all__ = ["ConnectBody", "InviteBody", "LinkBody", "PartnerCallFailedError", "add_routes"]

#: A partner's answers during `connect` are bounded by this (seconds).
CONNECT_TIMEOUT = 15.0


class PartnerCallFailedError(ApiError):
    """The partner could not be reached, or refused what we sent it."""

    status = 502
    code = "partner_error"


class InviteBody(BaseModel):
    """`POST /admin/partners/invite`."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)


class ConnectBody(BaseModel):
    """`POST /admin/partners/connect`."""

    model_config = ConfigDict(extra="forbid")

    versions_url: str = Field(min_length=1, max_length=255, pattern=r"^https?://\S+$")
    token: str = Field(min_length=1, max_length=64, pattern=r"^[!-~]+$")
    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME_LENGTH)


class LinkBody(BaseModel):
    """`POST /admin/locations/{location_id}/stations/{station_id}`."""

    model_config = ConfigDict(extra="forbid")

    tariff_id: str | None = Field(default=None, min_length=1, max_length=36)


def _host(body: ConnectBody) -> str:
    return (urlsplit(body.versions_url).netloc or body.versions_url)[:MAX_NAME_LENGTH]


def _services(request: web.Request) -> OcpiServices:
    admin = request.app[SERVICES]
    return OcpiServices(settings=admin.settings, database=admin.database, writer=admin.writer)


def _import_json(result: ImportResult) -> dict[str, list[str]]:
    return {"created": list(result.created), "updated": list(result.updated)}


async def _document(request: web.Request) -> bytes:
    raw = await request.read()
    if not raw.strip():
        raise InvalidBodyError("a JSON document is required")
    return raw


async def invite(request: web.Request) -> web.Response:
    body = await read_body(request, InviteBody)
    try:
        invitation = await invite_partner(_services(request), body.name)
    except ValueError as error:
        raise InvalidBodyError(str(error)) from None
    data = {
        "partner_id": invitation.partner_id,
        "token_a": invitation.token_a,
        "versions_url": invitation.versions_url,
    }
    return json_response(data, status=201)


async def connect_partner(request: web.Request) -> web.Response:
    body = await read_body(request, ConnectBody)
    services = _services(request)
    try:
        async with OcpiClient(timeout=CONNECT_TIMEOUT) as client:
            partner = await connect(
                services, client, body.versions_url, body.token, body.name or _host(body)
            )
    except OcpiError as error:
        raise PartnerCallFailedError(f"{error.message} (OCPI {error.status_code})") from None
    return json_response(partner_json(partner), status=201)


async def remove_partner(request: web.Request) -> web.Response:
    partner_id = path_int(request, "partner_id", "partner")
    notify = query_bool(request, "notify")
    services = _services(request)
    async with services.database.read() as conn:
        partner = await get_partner(conn, partner_id)
    if partner is None:
        raise NotFoundError(f"no partner {partner_id}")
    async with OcpiClient(timeout=CONNECT_TIMEOUT) as client:
        warning = await disconnect(services, client, partner, notify=notify is not False)
    return json_response({"partner_id": partner_id, "unregistered": True, "warning": warning})


async def post_locations(request: web.Request) -> web.Response:
    raw = await _document(request)
    try:
        result = await import_locations(_services(request), raw)
    except DocumentError as error:
        raise InvalidBodyError(str(error)) from None
    return json_response(_import_json(result), status=201 if result.created else 200)


async def link(request: web.Request) -> web.Response:
    body = await read_body(request, LinkBody) if (await request.read()).strip() else LinkBody()
    location_id = request.match_info["location_id"]
    station_id = request.match_info["station_id"]
    try:
        result = await link_station_to_location(
            _services(request), location_id, station_id, body.tariff_id
        )
    except LinkError as error:
        raise NotFoundError(str(error)) from None
    evses = [{"evse_id": evse_id, "uid": uid} for evse_id, uid in result.evses]
    data = {"location_id": location_id, "station_id": station_id, "evses": evses}
    return json_response(data)


async def unlink(request: web.Request) -> web.Response:
    location_id = request.match_info["location_id"]
    station_id = request.match_info["station_id"]
    count = await unlink_station_from_location(_services(request), location_id, station_id)
    if not count:
        raise NotFoundError(f"station {station_id!r} has no EVSEs at location {location_id!r}")
    return json_response({"location_id": location_id, "station_id": station_id, "removed": count})


async def post_tariffs(request: web.Request) -> web.Response:
    raw = await _document(request)
    try:
        result = await import_tariffs(_services(request), raw)
    except DocumentError as error:
        raise InvalidBodyError(str(error)) from None
    return json_response(_import_json(result), status=201 if result.created else 200)


async def remove_tariff(request: web.Request) -> web.Response:
    tariff_id = request.match_info["tariff_id"]
    if not await delete_tariff_by_id(_services(request), tariff_id):
        raise NotFoundError(f"no tariff {tariff_id!r}")
    return json_response({"tariff_id": tariff_id, "deleted": True})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register the roaming routes on the admin app's router."""
    router.add_post("/partners/invite", invite)
    router.add_post("/partners/connect", connect_partner)
    router.add_delete("/partners/{partner_id}", remove_partner)
    router.add_post("/locations", post_locations)
    router.add_post("/locations/{location_id}/stations/{station_id}", link)
    router.add_delete("/locations/{location_id}/stations/{station_id}", unlink)
    router.add_post("/tariffs", post_tariffs)
    router.add_delete("/tariffs/{tariff_id}", remove_tariff)
