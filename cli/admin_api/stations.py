"""`/admin/stations…`: list, show, add/update, device model, and the frame log.

```
GET /admin/stations                          list (DESIGN.md shape, see cli/views.py)
GET /admin/stations/{id}                     details, EVSEs/connectors, active sessions
PUT /admin/stations/{id}                     add or update (201 created, 200 updated)
GET /admin/stations/{id}/variables           device model (2.0.1) / configuration (1.6)
GET /admin/stations/{id}/messages?after=&limit=   logged OCPP-J frames, oldest first
```
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, model_validator

from cli.admin_api.errors import InvalidBodyError, NotFoundError
from cli.admin_api.keys import SERVICES
from cli.admin_api.params import json_response, query_int, read_body
from cli.provisioning import StationProvisioning, provision_station
from cli.views import Json, frame_json, station_detail_json, station_json, variable_json
from shared.domain.stations import RegistrationStatus
from shared.secrets import hash_password
from shared.store.device_model import get_device_model
from shared.store.queries import (
    count_station_variables,
    list_messages,
    list_sessions,
    station_exists,
)
from shared.store.stations import get_station, list_stations
from shared.store.uow import UnitOfWork

__all__ = ["StationBody", "add_routes"]

MAX_STATION_ID = 255  # stations.id column
MAX_MESSAGES = 1000


class StationBody(BaseModel):
    """`PUT /admin/stations/{id}`: fields left out keep their value (defaults when new)."""

    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, min_length=1, max_length=255)
    remove_password: bool = False
    version: str | None = Field(default=None, pattern=r"^(1\.6|2\.0\.1)$")
    ping_interval: float | None = Field(default=None, ge=0, le=86_400)
    lenient: bool | None = None
    registration: RegistrationStatus | None = None

    @model_validator(mode="after")
    def _one_password_change(self) -> StationBody:
        if self.password is not None and self.remove_password:
            raise ValueError("give either password or remove_password, not both")
        return self


async def _station_detail(request: web.Request, station_id: str) -> Json:
    async with request.app[SERVICES].database.read() as conn:
        station = await get_station(conn, station_id)
        if station is None:
            raise NotFoundError(f"unknown station {station_id!r}")
        sessions = await list_sessions(conn, active=True, station_id=station_id)
        variables = await count_station_variables(conn, station_id)
    return station_detail_json(station, sessions=sessions, variable_count=variables)


async def _require_station(request: web.Request, station_id: str) -> None:
    async with request.app[SERVICES].database.read() as conn:
        if not await station_exists(conn, station_id):
            raise NotFoundError(f"unknown station {station_id!r}")


async def list_all(request: web.Request) -> web.Response:
    async with request.app[SERVICES].database.read() as conn:
        stations = await list_stations(conn)
    return json_response([station_json(station) for station in stations])


async def show(request: web.Request) -> web.Response:
    return json_response(await _station_detail(request, request.match_info["station_id"]))


async def put(request: web.Request) -> web.Response:
    station_id = request.match_info["station_id"]
    if len(station_id) > MAX_STATION_ID or not station_id.strip():
        raise InvalidBodyError(f"a station id has 1 to {MAX_STATION_ID} characters")
    body = await read_body(request, StationBody)
    # scrypt costs tens of milliseconds of CPU: keep it off the event loop.
    password_hash = await asyncio.to_thread(hash_password, body.password) if body.password else None
    changes = StationProvisioning(
        password_hash=password_hash,
        remove_password=body.remove_password,
        version=body.version,
        ping_interval=body.ping_interval,
        lenient=body.lenient,
        registration=body.registration,
    )

    async def provision(uow: UnitOfWork) -> bool:
        return await provision_station(uow, station_id, changes)

    created = await request.app[SERVICES].writer.run(provision)
    detail = await _station_detail(request, station_id)
    return json_response({"created": created, "station": detail}, status=201 if created else 200)


async def variables(request: web.Request) -> web.Response:
    station_id = request.match_info["station_id"]
    async with request.app[SERVICES].database.read() as conn:
        if not await station_exists(conn, station_id):
            raise NotFoundError(f"unknown station {station_id!r}")
        rows = await get_device_model(conn, station_id)
    return json_response([variable_json(row) for row in rows])


async def messages(request: web.Request) -> web.Response:
    station_id = request.match_info["station_id"]
    after = query_int(request, "after", default=None, minimum=0, maximum=2**63 - 1)
    limit = query_int(request, "limit", default=100, minimum=1, maximum=MAX_MESSAGES) or 100
    await _require_station(request, station_id)
    async with request.app[SERVICES].database.read() as conn:
        frames = await list_messages(conn, station_id, after=after, limit=limit)
    last_id = frames[-1].id if frames else after
    return json_response(
        {
            "station_id": station_id,
            "messages": [frame_json(frame) for frame in frames],
            "last_id": last_id,
        }
    )


def add_routes(router: web.UrlDispatcher) -> None:
    """Register the station routes on the admin app's router."""
    router.add_get("/stations", list_all)
    router.add_get("/stations/{station_id}", show)
    router.add_put("/stations/{station_id}", put)
    router.add_get("/stations/{station_id}/variables", variables)
    router.add_get("/stations/{station_id}/messages", messages)
