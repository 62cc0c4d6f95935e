"""OCPI 2.2.1 Token <-> stored partner token (`shared.store.tokens.PartnerToken`).

mod_tokens, *Token* object: `valid` false means the driver may not charge, so it is stored
as status Blocked (valid: Accepted); `whitelist` is kept as sent and decides whether the
OCPP side may authorize on its own (`shared.authorization`: NEVER asks the eMSP every time).
"""

from __future__ import annotations

from ocpi_gateway.v221.models import Token
from shared.domain.partners import party_key
from shared.store.tokens import PartnerToken

__all__ = ["ACCEPTED", "BLOCKED", "token_from_wire", "token_to_wire"]

ACCEPTED = "Accepted"
BLOCKED = "Blocked"


def token_from_wire(token: Token, partner_id: int) -> PartnerToken:
    """The row for `token`, uploaded by partner `partner_id`."""
    energy = token.energy_contract
    return PartnerToken(
        source=party_key(token.country_code, token.party_id),
        id_token=str(token.uid),
        type=token.type.value,
        status=ACCEPTED if token.valid else BLOCKED,
        partner_id=partner_id,
        contract_id=str(token.contract_id),
        issuer=token.issuer,
        whitelist=token.whitelist.value,
        last_updated=token.last_updated,
        visual_number=token.visual_number,
        group_id=str(token.group_id) if token.group_id is not None else None,
        language=token.language,
        default_profile_type=(
            token.default_profile_type.value if token.default_profile_type is not None else None
        ),
        energy_contract=energy.model_dump(mode="json", exclude_none=True) if energy else None,
    )


def token_to_wire(stored: PartnerToken) -> Token:
    """The Token object for a stored partner token."""
    country_code, _, party_id = stored.source.partition("*")
    data = {
        "country_code": country_code,
        "party_id": party_id,
        "uid": stored.id_token,
        "type": stored.type,
        "contract_id": stored.contract_id,
        "visual_number": stored.visual_number,
        "issuer": stored.issuer,
        "group_id": stored.group_id,
        "valid": stored.status == ACCEPTED,
        "whitelist": stored.whitelist,
        "language": stored.language,
        "default_profile_type": stored.default_profile_type,
        "energy_contract": stored.energy_contract,
        "last_updated": stored.last_updated,
    }
    return Token.model_validate({k: v for k, v in data.items() if v is not None})
