"""*Credentials* module, 2.2.1 (credentials): GET, POST, PUT, DELETE.

The rules on methods come from the module's *Interfaces and endpoints*: POST when the
client is already registered, and PUT or DELETE when it is not, are answered with HTTP 405.
A client that is not registered holds only Token A, so the token kind tells them apart.
"""

from __future__ import annotations

from ocpi_gateway.errors import MethodNotAllowedError
from ocpi_gateway.routing import ModuleSpec, OcpiRequest, OcpiResult, Route, parse_body
from ocpi_gateway.v221.mapping.partners import our_credentials
from ocpi_gateway.v221.models import Credentials
from ocpi_gateway.v221.registration import discover, registration_from
from shared.logging import get_logger
from shared.secrets import hash_token, new_token
from shared.store import partners as store
from shared.store.partners import TokenKind
from shared.store.uow import UnitOfWork

__all__ = ["MODULE"]

log = get_logger("laddpunkt.ocpi.credentials")

_ALLOW = ("GET", "POST", "PUT", "DELETE")


async def get_credentials(request: OcpiRequest) -> OcpiResult:
    """Our credentials, with the token the client presented (we keep only its hash)."""
    return OcpiResult(our_credentials(request.services.identity, request.context.token))


async def post_credentials(request: OcpiRequest) -> OcpiResult:
    """Registration: Token A in, our Token C out (credentials, *POST Method*)."""
    context = request.context
    if context.token_kind is not TokenKind.INVITE:
        raise MethodNotAllowedError(
            "already registered: use PUT to update the credentials", allow=_ALLOW
        )
    credentials = parse_body(request, Credentials)
    platform = await discover(request.client, credentials.url, credentials.token)
    token_c = new_token()
    registration = registration_from(credentials, platform, token_c)
    invite_hash = hash_token(context.token)

    async def register(uow: UnitOfWork) -> bool:
        return await store.register_invited(uow, context.partner.id, invite_hash, registration)

    if not await request.services.writer.run(register):
        # Another request used this Token A in the meantime.
        raise MethodNotAllowedError("already registered", allow=_ALLOW)
    log.info("ocpi.partner.registered", partner=context.partner.id, url=credentials.url)
    return OcpiResult(our_credentials(request.services.identity, token_c))


async def put_credentials(request: OcpiRequest) -> OcpiResult:
    """New credentials and endpoints for a registered client (credentials, *PUT Method*)."""
    context = request.context
    if context.token_kind is not TokenKind.CREDENTIALS:
        raise MethodNotAllowedError("not registered yet: use POST to register", allow=_ALLOW)
    credentials = parse_body(request, Credentials)
    platform = await discover(request.client, credentials.url, credentials.token)
    token_c = new_token()
    registration = registration_from(credentials, platform, token_c)

    async def update(uow: UnitOfWork) -> bool:
        return await store.update_registration(uow, context.partner.id, registration)

    if not await request.services.writer.run(update):
        raise MethodNotAllowedError("not registered", allow=_ALLOW)
    log.info("ocpi.partner.credentials_updated", partner=context.partner.id)
    return OcpiResult(our_credentials(request.services.identity, token_c))


async def delete_credentials(request: OcpiRequest) -> OcpiResult:
    """Unregistration: both tokens stop working (credentials, *DELETE Method*)."""
    context = request.context
    if context.token_kind is not TokenKind.CREDENTIALS:
        raise MethodNotAllowedError("not registered", allow=_ALLOW)

    async def end(uow: UnitOfWork) -> bool:
        return await store.unregister(uow, context.partner.id)

    await request.services.writer.run(end)
    log.info("ocpi.partner.unregistered_by_partner", partner=context.partner.id)
    return OcpiResult()


MODULE = ModuleSpec(
    identifier="credentials",
    # version_information_endpoint, Endpoint class: the role means nothing for
    # credentials; SENDER is the advised value for one's own endpoint.
    role="SENDER",
    routes=(
        Route("GET", "", get_credentials),
        Route("POST", "", post_credentials),
        Route("PUT", "", put_credentials),
        Route("DELETE", "", delete_credentials),
    ),
    configuration=True,
    token_a=True,
)
