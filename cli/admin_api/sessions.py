"""`/admin/sessions…`: charging sessions (= transactions) and their meter values.

```
GET /admin/sessions?active=true&station_id=ID&limit=N   newest first (DESIGN.md shape)
GET /admin/sessions/{id}                                details and meter values
```
"""

from __future__ import annotations

from aiohttp import web

from cli.admin_api.errors import NotFoundError
from cli.admin_api.keys import SERVICES
from cli.admin_api.params import json_response, path_int, query_bool, query_int
from cli.views import session_detail_json, session_json
from shared.store.queries import get_session, list_sessions, session_meter_values

__all__ = ["add_routes"]

MAX_SESSIONS = 10_000
MAX_METER_VALUES = 100_000


async def list_all(request: web.Request) -> web.Response:
    active = query_bool(request, "active")
    station_id = request.query.get("station_id") or None
    limit = query_int(request, "limit", default=1000, minimum=1, maximum=MAX_SESSIONS) or 1000
    async with request.app[SERVICES].database.read() as conn:
        sessions = await list_sessions(conn, active=active, station_id=station_id, limit=limit)
    return json_response([session_json(session) for session in sessions])


async def show(request: web.Request) -> web.Response:
    session_id = path_int(request, "session_id", "session")
    limit = query_int(request, "meter_values", default=10_000, minimum=0, maximum=MAX_METER_VALUES)
    async with request.app[SERVICES].database.read() as conn:
        session = await get_session(conn, session_id)
        if session is None:
            raise NotFoundError(f"no session {session_id}")
        samples = await session_meter_values(conn, session_id, limit=limit) if limit else []
    return json_response(session_detail_json(session, samples))


def add_routes(router: web.UrlDispatcher) -> None:
    """Register the session routes on the admin app's router."""
    router.add_get("/sessions", list_all)
    router.add_get("/sessions/{session_id}", show)
