"""The credentials handshake of OCPI 2.2.1, both ways (credentials, *Use cases*).

A partner registers with us (`accept_registration`, behind POST credentials): it presents
Token A, sends its Credentials with Token B; we fetch its versions and 2.2.1 details with
Token B, store its endpoints and roles, and answer with Token C. `update_registration`
(PUT) does the same for a registered partner, with a fresh token.

We register with a partner (`connect`, behind `csms partners connect`): we fetch its
versions and details with its Token A, issue our token (B), POST our credentials and keep
the token it answers with (C).

Failures keep the spec's codes (credentials, *Errors during registration* and *Required
endpoints not available*): a partner whose API we cannot use → 3001, no 2.2.1 → 3002,
no credentials endpoint → 3003.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ocpi_gateway.client import OcpiClient, PartnerResponse
from ocpi_gateway.errors import (
    NoMatchingEndpointsError,
    PartnerApiError,
    PartnerCallError,
    UnsupportedVersionError,
)
from ocpi_gateway.services import OcpiServices
from ocpi_gateway.v221.mapping.partners import our_credentials, partner_endpoints, party_roles
from ocpi_gateway.v221.models import Credentials, Version, VersionDetails
from shared.domain.partners import Partner, PartnerEndpoint
from shared.logging import get_logger
from shared.secrets import hash_token, new_token
from shared.store import partners as store
from shared.store.partners import Registration
from shared.store.uow import UnitOfWork

__all__ = [
    "OCPI_VERSION",
    "REQUIRED_PARTNER_MODULES",
    "PartnerPlatform",
    "connect",
    "disconnect",
    "discover",
    "registration_from",
]

log = get_logger("laddpunkt.ocpi.registration")

OCPI_VERSION = "2.2.1"
#: Modules a partner must offer for us to register with it: credentials is required of
#: every implementation (version_information_endpoint, ModuleID). Pull-only eMSPs offer
#: nothing else, and are welcome.
REQUIRED_PARTNER_MODULES = ("credentials",)


@dataclass(frozen=True, slots=True)
class PartnerPlatform:
    """What a partner's versions and version details told us."""

    versions_url: str
    version: str
    endpoints: tuple[PartnerEndpoint, ...]
    used_base64: bool


async def _fetch(
    client: OcpiClient, url: str, token: str, base64: bool, what: str
) -> PartnerResponse:
    try:
        return await client.call("GET", url, token, base64=base64)
    except PartnerCallError as error:
        raise PartnerApiError(f"could not get the partner's {what}: {error.message}") from None


async def discover(
    client: OcpiClient, versions_url: str, token: str, *, base64: bool = True
) -> PartnerPlatform:
    """Fetch a partner's versions, choose 2.2.1, fetch its details and check them."""
    listing = await _fetch(client, versions_url, token, base64, "versions")
    if not isinstance(listing.data, list):
        raise PartnerApiError("the partner's versions endpoint did not answer with a list")
    chosen = None
    for item in listing.data:
        try:
            version = Version.model_validate(item)
        except ValueError:
            continue  # transport_and_format, *GET*: go on with the valid items
        if str(version.version) == OCPI_VERSION:
            chosen = version
    if chosen is None:
        raise UnsupportedVersionError(
            f"the partner does not offer OCPI {OCPI_VERSION} (the only version we share)"
        )
    details_response = await _fetch(
        client, chosen.url, token, listing.used_base64, f"{OCPI_VERSION} version details"
    )
    try:
        details = details_response.parse(VersionDetails)
    except PartnerCallError as error:
        raise PartnerApiError(error.message) from None
    endpoints = partner_endpoints(details)
    offered = {endpoint.module for endpoint in endpoints}
    missing = [module for module in REQUIRED_PARTNER_MODULES if module not in offered]
    if missing:
        raise NoMatchingEndpointsError(
            f"the partner's {OCPI_VERSION} endpoints lack: {', '.join(missing)}"
        )
    return PartnerPlatform(versions_url, OCPI_VERSION, endpoints, details_response.used_base64)


def registration_from(
    credentials: Credentials, platform: PartnerPlatform, incoming_token: str
) -> Registration:
    """The stored form of a completed exchange; `incoming_token` is the one we issued."""
    return Registration(
        roles=party_roles(credentials),
        endpoints=platform.endpoints,
        versions_url=platform.versions_url,
        version=platform.version,
        incoming_token_hash=hash_token(incoming_token),
        outgoing_token=credentials.token,
        outgoing_token_base64=platform.used_base64,
    )


def _credentials_endpoint(platform: PartnerPlatform) -> str:
    for endpoint in platform.endpoints:
        if endpoint.module == "credentials":
            return endpoint.url
    raise NoMatchingEndpointsError("the partner has no credentials endpoint")


async def connect(
    services: OcpiServices, client: OcpiClient, versions_url: str, token_a: str, name: str
) -> Partner:
    """Register with a partner that gave us `versions_url` and its Token A.

    Our token (B) is stored first, as an invitation token: the partner calls our versions
    and details with it while it handles our POST. The row becomes a registration when the
    partner answers; if the POST fails, the row is deleted again.
    """
    platform = await discover(client, versions_url, token_a)
    url = _credentials_endpoint(platform)
    token_b = new_token()

    async def pending(uow: UnitOfWork) -> int:
        return await store.create_invite(uow, name, hash_token(token_b))

    partner_id = await services.writer.run(pending)
    try:
        answer = await client.call(
            "POST",
            url,
            token_a,
            base64=platform.used_base64,
            body=our_credentials(services.identity, token_b),
        )
        credentials = answer.parse(Credentials)
    except PartnerCallError as error:
        await _forget(services, partner_id)
        raise PartnerApiError(f"the partner refused our credentials: {error.message}") from None
    except BaseException:
        await _forget(services, partner_id)
        raise
    platform = replace(platform, used_base64=answer.used_base64)
    partner = await _complete(services, partner_id, token_b, credentials, platform)
    log.info("ocpi.partner.connected", partner=partner.id, name=name)
    return partner


async def _complete(
    services: OcpiServices,
    partner_id: int,
    token_b: str,
    credentials: Credentials,
    platform: PartnerPlatform,
) -> Partner:
    registration = registration_from(credentials, platform, token_b)

    async def complete(uow: UnitOfWork) -> Partner | None:
        await store.register_invited(uow, partner_id, hash_token(token_b), registration)
        return await store.get_partner(uow.conn, partner_id)

    partner = await services.writer.run(complete)
    if partner is None:  # pragma: no cover - the row was created by `connect`
        raise PartnerApiError("the partner registration vanished")
    return partner


async def _forget(services: OcpiServices, partner_id: int) -> None:
    async def drop(uow: UnitOfWork) -> int:
        return await store.delete_partner(uow, [partner_id])

    await services.writer.run(drop)


async def disconnect(
    services: OcpiServices, client: OcpiClient, partner: Partner, *, notify: bool = True
) -> str | None:
    """Unregister `partner`: tell it (DELETE on its credentials), then drop both tokens.

    Returns a warning when the partner could not be told; the local registration ends
    either way, since the operator asked for it.
    """
    warning = None
    endpoint = partner.endpoint("credentials", "SENDER") or partner.endpoint(
        "credentials", "RECEIVER"
    )
    if notify and endpoint is not None:
        async with services.database.read() as conn:
            secrets = await store.get_secrets(conn, partner.id)
        if secrets.outgoing_token:
            try:
                await client.call(
                    "DELETE",
                    endpoint.url,
                    secrets.outgoing_token,
                    base64=partner.outgoing_token_base64,
                )
            except PartnerCallError as error:
                warning = f"the partner was not told: {error.message}"

    async def end(uow: UnitOfWork) -> bool:
        return await store.unregister(uow, partner.id)

    await services.writer.run(end)
    log.info("ocpi.partner.unregistered", partner=partner.id, warning=warning)
    return warning
