"""`/admin/tokens` and `/admin/partners`: who may charge, and who we roam with.

```
GET  /admin/tokens?source=local&limit=N   id tokens, ours and partners'
POST /admin/tokens                        add or replace a local token (201 added, 200 replaced)
GET  /admin/partners                      roaming partners (no secrets)
GET  /admin/partners/{id}
```
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from cli.admin_api.errors import NotFoundError
from cli.admin_api.keys import SERVICES
from cli.admin_api.params import json_response, path_int, query_int, read_body
from cli.provisioning import LOCAL_TOKEN_SOURCE, TokenProvisioning, provision_token
from cli.views import partner_json, token_json
from shared.authorization import AuthorizationStatus
from shared.store.partners import get_partner, list_partners
from shared.store.queries import get_token, list_tokens
from shared.store.uow import UnitOfWork

__all__ = ["TOKEN_TYPES", "TokenBody", "add_routes"]

# OCPP 2.0.1 IdTokenEnumType; 1.6 idTags are plain strings and match any of them.
TOKEN_TYPES = (
    "Central",
    "eMAID",
    "ISO14443",
    "ISO15693",
    "KeyCode",
    "Local",
    "MacAddress",
    "NoAuthorization",
)
_TYPE_PATTERN = "^(" + "|".join(TOKEN_TYPES) + ")$"


class TokenBody(BaseModel):
    """`POST /admin/tokens`."""

    model_config = ConfigDict(extra="forbid")

    # 2.0.1 IdTokenType.idToken is string[0..36] (1.6 idTag: 20); OCPI Token.uid is 36 too.
    id_token: str = Field(min_length=1, max_length=36)
    type: str = Field(default="ISO14443", pattern=_TYPE_PATTERN)
    status: AuthorizationStatus = AuthorizationStatus.ACCEPTED
    expiry: AwareDatetime | None = None
    group_id: str | None = Field(default=None, min_length=1, max_length=36)


async def tokens(request: web.Request) -> web.Response:
    source = request.query.get("source") or None
    limit = query_int(request, "limit", default=1000, minimum=1, maximum=100_000) or 1000
    async with request.app[SERVICES].database.read() as conn:
        rows = await list_tokens(conn, source=source, limit=limit)
    return json_response([token_json(row) for row in rows])


async def add_token(request: web.Request) -> web.Response:
    body = await read_body(request, TokenBody)
    expiry: datetime | None = body.expiry
    token = TokenProvisioning(
        id_token=body.id_token,
        type=body.type,
        status=body.status.value,
        expiry=expiry,
        group_id=body.group_id,
    )

    async def provision(uow: UnitOfWork) -> bool:
        return await provision_token(uow, token)

    services = request.app[SERVICES]
    created = await services.writer.run(provision)
    async with services.database.read() as conn:
        stored = await get_token(conn, LOCAL_TOKEN_SOURCE, body.id_token)
    assert stored is not None  # committed just above
    return json_response(
        {"created": created, "token": token_json(stored)}, status=201 if created else 200
    )


async def partners(request: web.Request) -> web.Response:
    async with request.app[SERVICES].database.read() as conn:
        rows = await list_partners(conn)
    return json_response([partner_json(row) for row in rows])


async def partner(request: web.Request) -> web.Response:
    partner_id = path_int(request, "partner_id", "partner")
    async with request.app[SERVICES].database.read() as conn:
        row = await get_partner(conn, partner_id)
    if row is None:
        raise NotFoundError(f"no partner {partner_id}")
    return json_response(partner_json(row))


def add_routes(router: web.UrlDispatcher) -> None:
    """Register the token and partner routes on the admin app's router."""
    router.add_get("/tokens", tokens)
    router.add_post("/tokens", add_token)
    router.add_get("/partners", partners)
    router.add_get("/partners/{partner_id}", partner)
