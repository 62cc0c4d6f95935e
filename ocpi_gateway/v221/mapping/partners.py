"""Credentials and version details (2.2.1) ↔ partner roles and endpoints."""

from __future__ import annotations

from ocpi_gateway.services import OcpiIdentity
from ocpi_gateway.v221.models import (
    BusinessDetails,
    Credentials,
    CredentialsRole,
    Role,
    VersionDetails,
)
from shared.domain.partners import PartnerEndpoint, PartyRole

__all__ = ["our_credentials", "partner_endpoints", "party_roles"]


def party_roles(credentials: Credentials) -> tuple[PartyRole, ...]:
    """The parties a partner's Credentials object lists."""
    return tuple(
        PartyRole(
            role=str(entry.role),
            country_code=entry.country_code.upper(),
            party_id=entry.party_id.upper(),
            name=entry.business_details.name,
            website=entry.business_details.website,
        )
        for entry in credentials.roles
    )


def partner_endpoints(details: VersionDetails) -> tuple[PartnerEndpoint, ...]:
    """The module interfaces a partner's version details list."""
    return tuple(
        PartnerEndpoint(module=str(endpoint.identifier), role=str(endpoint.role), url=endpoint.url)
        for endpoint in details.endpoints
    )


def our_credentials(identity: OcpiIdentity, token: str) -> Credentials:
    """Our Credentials object: `token` for the partner to use, our versions URL, our role
    (one CPO party, from `[ocpi]` country_code/party_id/business_name)."""
    return Credentials(
        token=token,
        url=identity.versions_url,
        roles=[
            CredentialsRole(
                role=Role.CPO,
                business_details=BusinessDetails(name=identity.business_name),
                party_id=identity.party_id,
                country_code=identity.country_code,
            )
        ],
    )
