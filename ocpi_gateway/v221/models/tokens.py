"""OCPI 2.2.1 *Tokens* module (mod_tokens).

PATCH bodies: `TokenPatch`, which must carry `last_updated`
(mod_tokens, *PATCH*).
"""

from __future__ import annotations

from typing import ClassVar

from .base import OcpiEnum, OcpiModel
from .common import DisplayText
from .patch import patch_model
from .primitives import (
    Boolean,
    CiString2,
    CiString3,
    CiString36,
    DateTime,
    String2,
    String64,
)
from .shared_enums import ProfileType, TokenType

__all__ = [
    "AllowedType",
    "AuthorizationInfo",
    "EnergyContract",
    "LocationReferences",
    "Token",
    "TokenPatch",
    "TokenType",
    "WhitelistType",
]


class AllowedType(OcpiEnum):
    """*AllowedType* enum: the outcome of a real-time authorization."""

    ALLOWED = "ALLOWED"
    BLOCKED = "BLOCKED"
    EXPIRED = "EXPIRED"
    NO_CREDIT = "NO_CREDIT"
    NOT_ALLOWED = "NOT_ALLOWED"


class WhitelistType(OcpiEnum):
    """*WhitelistType* enum: when the CPO may authorize a Token by itself."""

    ALWAYS = "ALWAYS"
    ALLOWED = "ALLOWED"
    ALLOWED_OFFLINE = "ALLOWED_OFFLINE"
    NEVER = "NEVER"


class EnergyContract(OcpiModel):
    """*EnergyContract* class: the driver's own energy supplier/contract."""

    supplier_name: String64
    """The driver's energy supplier."""
    contract_id: String64 | None = None
    """The driver's contract number there."""


class LocationReferences(OcpiModel):
    """*LocationReferences* class: a location and some of its EVSEs."""

    location_id: CiString36
    """Location.id."""
    evse_uids: list[CiString36] | None = None
    """Unique identifiers of EVSEs within the given location."""


class Token(OcpiModel):
    """*Token* object: a driver's means of authorization, owned by an eMSP."""

    patch_required_fields: ClassVar[tuple[str, ...]] = ("last_updated",)

    country_code: CiString2
    """Country (ISO 3166 alpha-2) of the eMSP owning the token."""
    party_id: CiString3
    """ID of the eMSP that owns this Token (ISO-15118)."""
    uid: CiString36
    """Unique ID of the token (with `type`); for RFID, the card's hidden ID."""
    type: TokenType
    """Type of the token."""
    contract_id: CiString36
    """The EV driver's contract ID within the eMSP platform (eMA ID)."""
    visual_number: String64 | None = None
    """The number printed on the token."""
    issuer: String64
    """Who issued the token, usually the name printed on it."""
    group_id: CiString36 | None = None
    """Groups tokens that work as one (OCPP 1.x parentIdTag, max 20 there)."""
    valid: Boolean
    """Is this Token valid."""
    whitelist: WhitelistType
    """When the CPO may authorize the token without asking the eMSP."""
    language: String2 | None = None
    """ISO 639-1 language code of the Token owner's preferred language."""
    default_profile_type: ProfileType | None = None
    """The default Charging Preference of this Token."""
    energy_contract: EnergyContract | None = None
    """The driver's own energy supplier/contract, where supported."""
    last_updated: DateTime
    """When the token was created or last changed."""


class AuthorizationInfo(OcpiModel):
    """*AuthorizationInfo* object: the answer to a real-time authorization."""

    allowed: AllowedType
    """Whether the token may charge (at the given location)."""
    token: Token
    """The whole token that was asked about."""
    location: LocationReferences | None = None
    """The location and EVSEs the driver may charge at, if requested."""
    authorization_reference: CiString36 | None = None
    """Reference to this authorization, to be used in the Session and CDR."""
    info: DisplayText | None = None
    """Optional display text for the EV driver."""


TokenPatch = patch_model(Token)
