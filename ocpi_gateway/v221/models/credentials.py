"""OCPI 2.2.1 *Credentials* module (credentials).

`BusinessDetails` and `Image` are defined by the Locations module and
re-exported here because every credentials object uses them.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from .base import OcpiModel
from .common import Role
from .location_classes import BusinessDetails, Image
from .primitives import URL, CiString2, CiString3, CredentialsTokenString, ci_key

__all__ = ["BusinessDetails", "Credentials", "CredentialsRole", "Image", "Role"]


class CredentialsRole(OcpiModel):
    """*CredentialsRole* class: one role a platform plays."""

    role: Role
    """Type of role."""
    business_details: BusinessDetails
    """Details of this party."""
    party_id: CiString3
    """The party's ID in this role (ISO 15118)."""
    country_code: CiString2
    """Country (ISO 3166 alpha-2) of the party."""


class Credentials(OcpiModel):
    """*Credentials* object: exchanged during registration."""

    token: CredentialsTokenString
    """Token the other side must present to us."""
    url: URL
    """Our versions endpoint."""
    roles: Annotated[list[CredentialsRole], Field(min_length=1)]
    """The roles this party provides."""

    @model_validator(mode="after")
    def _unique_roles(self) -> Self:
        # Credentials object: no two roles may share role, party_id and
        # country_code (the last two compared as CiStrings).
        seen: set[tuple[str, str, str]] = set()
        for entry in self.roles:
            key = (entry.role.value, ci_key(entry.party_id), ci_key(entry.country_code))
            if key in seen:
                raise ValueError(
                    f"role {entry.role} {entry.country_code}/{entry.party_id} is listed twice"
                )
            seen.add(key)
        return self
