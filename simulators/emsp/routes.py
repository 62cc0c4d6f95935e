"""The eMSP's module handlers and its route table (paths below /ocpi/emsp/2.2.1)."""

from __future__ import annotations

from .registration import accept_credentials
from .schema import check_object, describe
from .server import Handler, Request
from .store import Outcome, object_key

__all__ = ["ROUTES"]

_NOT_FOUND = Outcome(status_code=2001, http_status=404, message="unknown object")


# --- credentials (credentials, *Interfaces and endpoints*) ----------------------------


async def get_credentials(req: Request) -> Outcome:
    return Outcome(data=req.ctx.party.credentials(req.token))


async def post_credentials(req: Request) -> Outcome:
    party = req.ctx.party
    if party.registered and req.token in party.incoming_tokens:
        # credentials, *POST*: 405 when the client is registered already.
        return Outcome(status_code=2000, http_status=405, message="already registered")
    code, data, message = await accept_credentials(req.ctx.client, party, req.body, update=False)
    return Outcome(status_code=code, data=data, message=message)


async def put_credentials(req: Request) -> Outcome:
    party = req.ctx.party
    if not party.registered or req.token not in party.incoming_tokens:
        return Outcome(status_code=2000, http_status=405, message="not registered")
    code, data, message = await accept_credentials(req.ctx.client, party, req.body, update=True)
    return Outcome(status_code=code, data=data, message=message)


async def delete_credentials(req: Request) -> Outcome:
    party = req.ctx.party
    if not party.registered or req.token not in party.incoming_tokens:
        return Outcome(status_code=2000, http_status=405, message="not registered")
    party.forget_cpo()
    return Outcome()


# --- client-owned objects pushed by the CPO --------------------------------------------


def _owned(req: Request, what: str) -> None:
    """transport_and_format, *Client Owned Object Push*: the URL names the owner."""
    cc, party = req.arg("cc"), req.arg("party")
    if not req.ctx.party.is_cpo_party(cc, party):
        req.ctx.problem(f"{req.http.method} {what}: {cc}*{party} is not one of the CPO's roles")


def _body(req: Request) -> dict[str, object]:
    if not isinstance(req.body, dict):
        req.ctx.problem(f"{req.http.method} {req.http.path}: body is not a JSON object")
        return {}
    return req.body


async def location(req: Request) -> Outcome:
    store, method = req.ctx.store, req.http.method
    key = object_key(req.arg("cc"), req.arg("party"), req.arg("location_id"))
    if method == "GET":
        stored = store.locations.get(key)
        return Outcome(data=stored) if stored is not None else _NOT_FOUND
    _owned(req, "location")
    body = _body(req)
    return store.put_location(key, body) if method == "PUT" else store.patch_location(key, body)


async def evse(req: Request) -> Outcome:
    store, method = req.ctx.store, req.http.method
    key = object_key(req.arg("cc"), req.arg("party"), req.arg("location_id"))
    uid = req.arg("evse_uid")
    if method == "GET":
        _, found = store.find_evse(key, uid)
        return Outcome(data=found) if found is not None else _NOT_FOUND
    _owned(req, "EVSE")
    body = _body(req)
    return store.put_evse(key, uid, body) if method == "PUT" else store.patch_evse(key, uid, body)


async def connector(req: Request) -> Outcome:
    store, method = req.ctx.store, req.http.method
    key = object_key(req.arg("cc"), req.arg("party"), req.arg("location_id"))
    uid, connector_id = req.arg("evse_uid"), req.arg("connector_id")
    if method == "GET":
        _, found = store.find_evse(key, uid)
        match = [c for c in (found or {}).get("connectors") or [] if c.get("id") == connector_id]
        return Outcome(data=match[0]) if match else _NOT_FOUND
    _owned(req, "connector")
    body = _body(req)
    if method == "PUT":
        return store.put_connector(key, uid, connector_id, body)
    return store.patch_connector(key, uid, connector_id, body)


async def session(req: Request) -> Outcome:
    store, method = req.ctx.store, req.http.method
    key = object_key(req.arg("cc"), req.arg("party"), req.arg("session_id"))
    if method == "GET":
        stored = store.sessions.get(key)
        return Outcome(data=stored) if stored is not None else _NOT_FOUND
    _owned(req, "session")
    body = _body(req)
    return store.put_session(key, body) if method == "PUT" else store.patch_session(key, body)


async def post_cdr(req: Request) -> Outcome:
    return req.ctx.store.post_cdr(_body(req), req.ctx.party.module_url("cdrs"))


async def get_cdr(req: Request) -> Outcome:
    stored = req.ctx.store.cdrs.get(req.arg("cdr_ref"))
    return Outcome(data=stored) if stored is not None else _NOT_FOUND


async def tariff(req: Request) -> Outcome:
    store, method = req.ctx.store, req.http.method
    key = object_key(req.arg("cc"), req.arg("party"), req.arg("tariff_id"))
    if method == "GET":
        stored = store.tariffs.get(key)
        return Outcome(data=stored) if stored is not None else _NOT_FOUND
    _owned(req, "tariff")
    if method == "DELETE":
        return store.delete_tariff(key)
    return store.put_tariff(key, _body(req))


# --- tokens Sender interface (mod_tokens) ---------------------------------------------


def _int(value: str | None, default: int) -> int | None:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number >= 0 else None


async def get_tokens(req: Request) -> Outcome:
    query = req.http.query
    offset = _int(query.get("offset"), 0)
    limit = _int(query.get("limit"), req.ctx.page_limit)
    if offset is None or limit is None:
        return Outcome(status_code=2001, message="offset and limit are non-negative integers")
    limit = min(limit, req.ctx.page_limit)
    try:
        page, total = req.ctx.tokens.page(
            query.get("date_from"), query.get("date_to"), offset, limit
        )
    except ValueError:
        return Outcome(status_code=2001, message="date_from/date_to are not DateTimes")
    headers = {"X-Total-Count": str(total), "X-Limit": str(req.ctx.page_limit)}
    if offset + len(page) < total:
        # transport_and_format, *Pagination*: the next link keeps every filter.
        params = {**query, "offset": str(offset + len(page)), "limit": str(limit)}
        url = req.http.url.with_query(params)
        headers["Link"] = f'<{url}>; rel="next"'
    return Outcome(data=page, headers=headers)


async def authorize_token(req: Request) -> Outcome:
    token_type = req.http.query.get("type", "RFID")  # mod_tokens: RFID when omitted
    location = req.body if isinstance(req.body, dict) else None
    if location is not None:
        problems = check_object("mod_tokens_locationreferences_class", location, "authorize body")
        if problems:
            req.ctx.problem(describe(problems))
            return Outcome(status_code=2001, message=describe(problems))
    return req.ctx.tokens.authorize(req.arg("uid"), token_type, location)


# --- asynchronous results (mod_commands, mod_charging_profiles Sender interfaces) ------


async def post_result(req: Request) -> Outcome:
    request, problems = req.ctx.results.deliver(req.arg("uid"), req.body)
    for problem in problems:
        req.ctx.problem(problem)
    if request is None:
        return _NOT_FOUND
    if problems and not request.results:
        return Outcome(status_code=2001, message=describe(problems))
    return Outcome()  # mod_charging_profiles: the answer's data field is omitted


async def put_active_profile(req: Request) -> Outcome:
    """mod_charging_profiles, Sender *PUT*: the CPO's update of the ActiveChargingProfile."""
    session_id = req.arg("session_id")
    problems = check_object("ActiveChargingProfile", req.body, "ActiveChargingProfile PUT")
    if problems:
        req.ctx.problem(describe(problems))
        return Outcome(status_code=2001, message=describe(problems))
    if session_id not in req.ctx.store.profiles_set:
        # The Receiver SHALL NOT call this for a session we never set a profile on.
        req.ctx.problem(f"ActiveChargingProfile PUT for session {session_id} we never set")
    req.ctx.store.active_profiles[session_id] = req.body
    return Outcome()


_LOCATION = "/locations/{cc}/{party}/{location_id}"
ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/credentials", get_credentials),
    ("POST", "/credentials", post_credentials),
    ("PUT", "/credentials", put_credentials),
    ("DELETE", "/credentials", delete_credentials),
    *((m, _LOCATION, location) for m in ("GET", "PUT", "PATCH")),
    *((m, _LOCATION + "/{evse_uid}", evse) for m in ("GET", "PUT", "PATCH")),
    *((m, _LOCATION + "/{evse_uid}/{connector_id}", connector) for m in ("GET", "PUT", "PATCH")),
    *((m, "/sessions/{cc}/{party}/{session_id}", session) for m in ("GET", "PUT", "PATCH")),
    ("POST", "/cdrs", post_cdr),
    ("POST", "/cdrs/", post_cdr),
    ("GET", "/cdrs/{cdr_ref}", get_cdr),
    *((m, "/tariffs/{cc}/{party}/{tariff_id}", tariff) for m in ("GET", "PUT", "DELETE")),
    ("GET", "/tokens", get_tokens),
    ("GET", "/tokens/", get_tokens),
    ("POST", "/tokens/{uid}/authorize", authorize_token),
    ("POST", "/commands/{name}/{uid}", post_result),
    ("POST", "/chargingprofiles/{name}/{uid}", post_result),
    ("PUT", "/chargingprofiles/{session_id}", put_active_profile),
]
