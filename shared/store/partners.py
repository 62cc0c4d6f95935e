"""Roaming partners: invitations, registrations, tokens (hashed where we only check them).

The partner presents a token to us (Token A while invited, then the one we issued at
registration); we keep only its SHA-256 (`shared.secrets.hash_token`) and find the partner
by an index lookup. The token we present to the partner must be sent, so it is kept as is.

Write functions take a `UnitOfWork` (run them through the store writer); reads take a
connection. Every function returns domain objects (`shared.domain.partners`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Row, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.domain.partners import (
    Partner,
    PartnerEndpoint,
    PartnerSecrets,
    PartnerStatus,
    PartyRole,
)
from shared.store.tables import partners
from shared.store.uow import UnitOfWork

__all__ = [
    "Registration",
    "TokenKind",
    "create_invite",
    "create_registered",
    "delete_partner",
    "find_by_token_hash",
    "get_partner",
    "get_secrets",
    "list_partners",
    "register_invited",
    "set_outgoing_base64",
    "unregister",
    "update_registration",
]


class TokenKind(StrEnum):
    """Which of a partner's tokens a request carried."""

    INVITE = "invite"  # Token A: valid on versions and credentials only
    CREDENTIALS = "credentials"  # the token issued at registration


@dataclass(frozen=True, slots=True)
class Registration:
    """What a completed credentials exchange tells us about the partner."""

    roles: tuple[PartyRole, ...]
    endpoints: tuple[PartnerEndpoint, ...]
    versions_url: str
    version: str
    incoming_token_hash: str  # hash of the token we issued, which the partner presents
    outgoing_token: str  # the token the partner issued, which we present
    outgoing_token_base64: bool = True


def _roles_json(roles: Iterable[PartyRole]) -> list[dict[str, Any]]:
    return [
        {
            "role": role.role,
            "country_code": role.country_code,
            "party_id": role.party_id,
            "business": {"name": role.name, "website": role.website},
        }
        for role in roles
    ]


def _roles(data: Any) -> tuple[PartyRole, ...]:
    result = []
    for item in data or ():
        business = item.get("business") or {}
        result.append(
            PartyRole(
                role=str(item.get("role", "")),
                country_code=str(item.get("country_code", "")),
                party_id=str(item.get("party_id", "")),
                name=str(business.get("name") or ""),
                website=business.get("website"),
            )
        )
    return tuple(result)


def _endpoints_json(endpoints: Iterable[PartnerEndpoint]) -> list[dict[str, str]]:
    return [{"identifier": e.module, "role": e.role, "url": e.url} for e in endpoints]


def _endpoints(data: Any) -> tuple[PartnerEndpoint, ...]:
    return tuple(
        PartnerEndpoint(
            module=str(item.get("identifier", "")),
            role=str(item.get("role", "")),
            url=str(item.get("url", "")),
        )
        for item in data or ()
    )


def _partner(row: Row[Any]) -> Partner:
    return Partner(
        id=row.id,
        name=row.name,
        status=PartnerStatus(row.status),
        roles=_roles(row.roles),
        endpoints=_endpoints(row.endpoints),
        versions_url=row.versions_url,
        version=row.version,
        outgoing_token_base64=row.outgoing_token_base64,
        replay_missed=row.replay_missed,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def get_partner(conn: AsyncConnection, partner_id: int) -> Partner | None:
    """The partner with id `partner_id`, or None."""
    row = (await conn.execute(select(partners).where(partners.c.id == partner_id))).first()
    return _partner(row) if row is not None else None


async def list_partners(conn: AsyncConnection) -> list[Partner]:
    """Every partner, oldest first."""
    rows = await conn.execute(select(partners).order_by(partners.c.id))
    return [_partner(row) for row in rows]


async def get_secrets(conn: AsyncConnection, partner_id: int) -> PartnerSecrets:
    """The token we present to the partner (None before registration or after it ended)."""
    row = (
        await conn.execute(select(partners.c.outgoing_token).where(partners.c.id == partner_id))
    ).first()
    return PartnerSecrets(outgoing_token=row.outgoing_token if row is not None else None)


async def find_by_token_hash(
    conn: AsyncConnection, token_hash: str
) -> tuple[Partner, TokenKind] | None:
    """The partner presenting the token whose hash is `token_hash`, and which token it is.

    A registered partner's credentials token wins over an invitation token (they never
    collide in practice: both are 256-bit random values).
    """
    row = (
        await conn.execute(
            select(partners).where(
                partners.c.incoming_token_hash == token_hash,
                partners.c.status == PartnerStatus.REGISTERED.value,
            )
        )
    ).first()
    if row is not None:
        return _partner(row), TokenKind.CREDENTIALS
    row = (
        await conn.execute(
            select(partners).where(
                partners.c.invite_token_hash == token_hash,
                partners.c.status == PartnerStatus.INVITED.value,
            )
        )
    ).first()
    if row is not None:
        return _partner(row), TokenKind.INVITE
    return None


async def create_invite(uow: UnitOfWork, name: str, invite_token_hash: str) -> int:
    """Record an invitation (Token A, hashed) for a partner called `name`; its new id."""
    result = await uow.conn.execute(
        insert(partners)
        .values(
            name=name,
            status=PartnerStatus.INVITED.value,
            roles=[],
            endpoints=[],
            invite_token_hash=invite_token_hash,
            outgoing_token_base64=True,
            replay_missed=True,
            created_at=uow.now,
            updated_at=uow.now,
        )
        .returning(partners.c.id)
    )
    return int(result.scalar_one())


def _registration_values(registration: Registration) -> dict[str, Any]:
    main = registration.roles[0] if registration.roles else None
    return {
        "status": PartnerStatus.REGISTERED.value,
        "country_code": main.country_code if main else None,
        "party_id": main.party_id if main else None,
        "roles": _roles_json(registration.roles),
        "endpoints": _endpoints_json(registration.endpoints),
        "versions_url": registration.versions_url,
        "version": registration.version,
        "incoming_token_hash": registration.incoming_token_hash,
        "outgoing_token": registration.outgoing_token,
        "outgoing_token_base64": registration.outgoing_token_base64,
    }


async def register_invited(
    uow: UnitOfWork, partner_id: int, invite_token_hash: str, registration: Registration
) -> bool:
    """Complete an invited partner's registration and retire its Token A.

    False when the invitation was already used (a concurrent POST won): the update is
    conditional on the Token A hash, so only one registration can consume it.
    """
    result = await uow.conn.execute(
        update(partners)
        .where(
            partners.c.id == partner_id,
            partners.c.invite_token_hash == invite_token_hash,
            partners.c.status == PartnerStatus.INVITED.value,
        )
        .values(invite_token_hash=None, updated_at=uow.now, **_registration_values(registration))
    )
    return bool(result.rowcount)


async def create_registered(uow: UnitOfWork, name: str, registration: Registration) -> int:
    """Record a partner we registered with ourselves (we were the initiator); its new id."""
    result = await uow.conn.execute(
        insert(partners)
        .values(
            name=name,
            replay_missed=True,
            created_at=uow.now,
            updated_at=uow.now,
            **_registration_values(registration),
        )
        .returning(partners.c.id)
    )
    return int(result.scalar_one())


async def update_registration(uow: UnitOfWork, partner_id: int, registration: Registration) -> bool:
    """Store a registered partner's new credentials and endpoints (credentials PUT)."""
    result = await uow.conn.execute(
        update(partners)
        .where(
            partners.c.id == partner_id,
            partners.c.status == PartnerStatus.REGISTERED.value,
        )
        .values(updated_at=uow.now, **_registration_values(registration))
    )
    return bool(result.rowcount)


async def unregister(uow: UnitOfWork, partner_id: int) -> bool:
    """End a registration: both tokens stop working; the row stays for the records."""
    result = await uow.conn.execute(
        update(partners)
        .where(partners.c.id == partner_id, partners.c.status != PartnerStatus.UNREGISTERED.value)
        .values(
            status=PartnerStatus.UNREGISTERED.value,
            incoming_token_hash=None,
            invite_token_hash=None,
            outgoing_token=None,
            updated_at=uow.now,
        )
    )
    return bool(result.rowcount)


async def set_outgoing_base64(uow: UnitOfWork, partner_id: int, base64: bool) -> None:
    """Remember whether the partner wants our token base64-encoded in its header."""
    await uow.conn.execute(
        update(partners)
        .where(partners.c.id == partner_id)
        .values(outgoing_token_base64=base64, updated_at=uow.now)
    )


async def delete_partner(uow: UnitOfWork, partner_ids: Sequence[int]) -> int:
    """Delete partners and what cascades from them (their tokens); how many went."""
    if not partner_ids:
        return 0
    result = await uow.conn.execute(delete(partners).where(partners.c.id.in_(partner_ids)))
    return int(result.rowcount)
