"""*HubClientInfo* module, 2.2.1, Receiver interface (mod_hub_client_info).

A hub tells us which parties it connects us to and how their connection stands: PUT
`{hubclientinfo}/{country_code}/{party_id}` with a ClientInfo, kept in `hub_client_info`
(the push worker reads it to route to CONNECTED parties only). GET of the same URL returns
the stored object, GET of the module root every ClientInfo the hub sent.

A configuration module: no routing headers (transport_and_format, *Message Routing*).
Only a partner registered in the HUB role may PUT; the object must name the party of the
URL, and may not name us.
"""

from __future__ import annotations

from ocpi_gateway.errors import InvalidParametersError, UnknownObjectError
from ocpi_gateway.routing import ModuleSpec, OcpiRequest, OcpiResult, Route, parse_body
from ocpi_gateway.v221.models import ClientInfo, dump
from shared.logging import get_logger
from shared.store.hub_client_info import ClientRecord, get_client, list_clients, put_client
from shared.store.uow import UnitOfWork

__all__ = ["MODULE"]

log = get_logger("laddpunkt.ocpi.hubclientinfo")


def _to_wire(record: ClientRecord) -> ClientInfo:
    return ClientInfo.model_validate(
        {
            "country_code": record.country_code,
            "party_id": record.party_id,
            "role": record.role,
            "status": record.status,
            "last_updated": record.last_updated,
        }
    )


def _party(request: OcpiRequest) -> tuple[str, str]:
    country_code = request.path_params["country_code"].upper()
    party_id = request.path_params["party_id"].upper()
    if len(country_code) != 2 or len(party_id) != 3:
        raise InvalidParametersError("country_code or party_id is malformed")
    return country_code, party_id


async def list_client_info(request: OcpiRequest) -> OcpiResult:
    """GET {hubclientinfo}: every ClientInfo the requesting hub sent."""
    async with request.services.database.read() as conn:
        records = await list_clients(conn, request.context.partner.id)
    return OcpiResult([dump(_to_wire(record)) for record in records])


async def get_client_info(request: OcpiRequest) -> OcpiResult:
    """GET {hubclientinfo}/{country_code}/{party_id}."""
    country_code, party_id = _party(request)
    async with request.services.database.read() as conn:
        record = await get_client(conn, country_code, party_id)
    if record is None or record.partner_id != request.context.partner.id:
        raise UnknownObjectError(f"no ClientInfo for {country_code}*{party_id}")
    return OcpiResult(dump(_to_wire(record)))


async def put_client_info(request: OcpiRequest) -> OcpiResult:
    """PUT {hubclientinfo}/{country_code}/{party_id}: create or replace."""
    country_code, party_id = _party(request)
    partner = request.context.partner
    if not partner.is_hub:
        raise InvalidParametersError("only a hub sends ClientInfo", http_status=403)
    info = parse_body(request, ClientInfo)
    if (info.country_code.upper(), info.party_id.upper()) != (country_code, party_id):
        raise InvalidParametersError("country_code and party_id must be those of the URL")
    if request.services.identity.is_us(country_code, party_id):
        raise InvalidParametersError("the ClientInfo names this platform")
    record = ClientRecord(
        partner_id=partner.id,
        country_code=country_code,
        party_id=party_id,
        role=info.role.value,
        status=info.status.value,
        last_updated=info.last_updated,
    )

    async def write(uow: UnitOfWork) -> bool:
        return await put_client(uow, record)

    created = await request.services.writer.run(write)
    log.info(
        "ocpi.hubclientinfo.saved",
        partner=partner.id,
        party=f"{country_code}*{party_id}",
        status=record.status,
        created=created,
    )
    return OcpiResult()


_PATH = "/{country_code}/{party_id}"

MODULE = ModuleSpec(
    identifier="hubclientinfo",
    role="RECEIVER",
    configuration=True,
    routes=(
        Route("GET", "", list_client_info),
        Route("GET", _PATH, get_client_info),
        Route("PUT", _PATH, put_client_info),
    ),
)
