"""*Tokens* module, 2.2.1, Receiver interface (mod_tokens, *Receiver Interface*).

eMSPs keep their tokens in our store: GET, PUT and PATCH on
`{tokens}/{country_code}/{party_id}/{token_uid}[?type={type}]` (type RFID when left out).
The tokens land in `id_tokens` under their party (`CC*PARTY`), where the OCPP side's
`Authorizer` finds them; a token's `whitelist` decides whether it may be authorized without
asking the eMSP (`ocpi_gateway.realtime_auth`).

A partner may only write tokens of a party it hosts (a hub: any party); the object's
country_code, party_id and uid must be those of the URL (mod_tokens, *PUT Method*).
"""

from __future__ import annotations

from pydantic import ValidationError

from ocpi_gateway.errors import InvalidParametersError, UnknownTokenError
from ocpi_gateway.routing import ModuleSpec, OcpiRequest, OcpiResult, Route, parse_body
from ocpi_gateway.v221.mapping.tokens import token_from_wire, token_to_wire
from ocpi_gateway.v221.models import Token, TokenType, describe_validation_error, dump
from ocpi_gateway.v221.models.patch import validate_patch
from shared.domain.partners import party_key
from shared.logging import get_logger
from shared.store.tokens import PartnerToken, get_partner_token, save_partner_token
from shared.store.uow import UnitOfWork

__all__ = ["MODULE"]

log = get_logger("laddpunkt.ocpi.tokens")

#: mod_tokens, *GET Method*: `type` defaults to RFID.
_DEFAULT_TYPE = TokenType.RFID


def _key(request: OcpiRequest) -> tuple[str, str, str]:
    """(source, uid, type) named by the URL, checked against who is asking."""
    params = request.path_params
    country_code, party_id = params["country_code"].upper(), params["party_id"].upper()
    uid = params["token_uid"]
    if len(country_code) != 2 or len(party_id) != 3 or not 0 < len(uid) <= 36:
        raise InvalidParametersError("country_code, party_id or token_uid is malformed")
    partner = request.context.partner
    if not partner.is_hub and not partner.hosts(country_code, party_id):
        raise InvalidParametersError(
            f"party {country_code}*{party_id} is not one of the requesting platform's parties",
            http_status=403,
        )
    raw_type = request.query.get("type", _DEFAULT_TYPE.value)
    try:
        token_type = TokenType(raw_type)
    except ValueError:
        raise InvalidParametersError(f"unknown token type {raw_type!r}") from None
    return party_key(country_code, party_id), uid, token_type.value


async def _stored(request: OcpiRequest, source: str, uid: str, type_: str) -> PartnerToken:
    async with request.services.database.read() as conn:
        stored = await get_partner_token(conn, source, uid, type_)
    if stored is None or stored.partner_id != request.context.partner.id:
        raise UnknownTokenError(f"unknown token {uid!r} of type {type_}")
    return stored


async def get_token(request: OcpiRequest) -> OcpiResult:
    """GET {tokens}/{country_code}/{party_id}/{token_uid}[?type]."""
    source, uid, type_ = _key(request)
    return OcpiResult(dump(token_to_wire(await _stored(request, source, uid, type_))))


async def _save(request: OcpiRequest, token: PartnerToken) -> None:
    async def write(uow: UnitOfWork) -> bool:
        return await save_partner_token(uow, token)

    created = await request.services.writer.run(write)
    log.info(
        "ocpi.tokens.saved",
        source=token.source,
        id_token=token.id_token,
        created=created,
        status=token.status,
        whitelist=token.whitelist,
    )


async def put_token(request: OcpiRequest) -> OcpiResult:
    """PUT {tokens}/{country_code}/{party_id}/{token_uid}[?type]: create or replace."""
    source, uid, type_ = _key(request)
    token = parse_body(request, Token)
    if party_key(token.country_code, token.party_id) != source or token.uid != uid:
        raise InvalidParametersError("country_code, party_id and uid must be those of the URL")
    if token.type.value != type_:
        raise InvalidParametersError(f"the token's type {token.type.value} is not {type_}")
    async with request.services.database.read() as conn:
        other = await get_partner_token(conn, source, uid)
    if other is not None and other.partner_id != request.context.partner.id:
        raise InvalidParametersError(f"token {uid!r} belongs to another platform", http_status=403)
    await _save(request, token_from_wire(token, request.context.partner.id))
    return OcpiResult()


async def patch_token(request: OcpiRequest) -> OcpiResult:
    """PATCH {tokens}/{country_code}/{party_id}/{token_uid}[?type]: change some fields
    (last_updated required, mod_tokens *PATCH Method*); the key fields may not change."""
    source, uid, type_ = _key(request)
    try:
        patch = validate_patch(Token, request.json())
    except ValidationError as exc:
        raise InvalidParametersError(describe_validation_error(exc)) from None
    changes = patch.changes()
    for name, value in (("country_code", source[:2]), ("party_id", source[3:]), ("uid", uid)):
        if name in changes and str(changes[name]).upper() != value.upper():
            raise InvalidParametersError(f"{name} cannot be changed by PATCH")
    if "type" in changes and changes["type"].value != type_:
        raise InvalidParametersError("type cannot be changed by PATCH")
    current = token_to_wire(await _stored(request, source, uid, type_))
    try:
        patched = patch.apply_to(current)
    except ValidationError as exc:
        raise InvalidParametersError(describe_validation_error(exc)) from None
    await _save(request, token_from_wire(patched, request.context.partner.id))
    return OcpiResult()


_PATH = "/{country_code}/{party_id}/{token_uid}"

MODULE = ModuleSpec(
    identifier="tokens",
    role="RECEIVER",
    routes=(
        Route("GET", _PATH, get_token),
        Route("PUT", _PATH, put_token),
        Route("PATCH", _PATH, patch_token),
    ),
)
