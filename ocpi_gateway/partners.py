"""Operator actions on partners that do not depend on an OCPI version: invitations.

`invite_partner` issues Token A (credentials, *Registration*: the receiver of the
registration creates it and hands it over out of band, with its versions URL). Only the
token's hash is stored; the plain token is shown once, to the operator.
"""

from __future__ import annotations

from dataclasses import dataclass

from ocpi_gateway.services import OcpiServices
from shared.secrets import hash_token, new_token
from shared.store import partners as store
from shared.store.uow import UnitOfWork

__all__ = ["Invitation", "invite_partner"]

#: `partners.name` is String(100).
MAX_NAME_LENGTH = 100


@dataclass(frozen=True, slots=True)
class Invitation:
    """What the operator hands to the partner: Token A and our versions URL."""

    partner_id: int
    token_a: str
    versions_url: str


async def invite_partner(services: OcpiServices, name: str) -> Invitation:
    """Create an invited partner called `name` and its Token A."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"a partner name has 1 to {MAX_NAME_LENGTH} characters")
    token = new_token()

    async def invite(uow: UnitOfWork) -> int:
        return await store.create_invite(uow, name, hash_token(token))

    partner_id = await services.writer.run(invite)
    return Invitation(partner_id, token, services.identity.versions_url)
