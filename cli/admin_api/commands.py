"""`/admin/…/commands`: ask a station to do something and wait for its answer.

```
POST /admin/stations/{id}/commands   {"command": KIND, "params": {…}, "timeout": S, "wait": true}
GET  /admin/commands?station_id=ID&limit=N
GET  /admin/commands/{command_id}
```
KIND is a domain command (`shared.domain.commands.COMMAND_TYPES`: start_charging,
stop_charging, reset, unlock, set_availability, set_configuration, set_charging_limit,
raw_call, …) and `params` its fields, as the command codec writes them. With `wait` (the
default) the answer is the finished command (200, whatever the charger said; `status` tells);
without, the command as submitted (202). Unknown station → 404; a station that is not
connected → 409 `station_offline` (the failed command is in `command`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from cli.admin_api.errors import (
    InvalidBodyError,
    NotFoundError,
    StationOfflineError,
    UnavailableError,
)
from cli.admin_api.keys import SERVICES
from cli.admin_api.params import json_response, query_int, read_body
from cli.views import command_json
from shared.cluster.codec import CodecError, decode_dataclass
from shared.commands import CommandService
from shared.domain.commands import (
    COMMAND_TYPES,
    Command,
    CommandRecord,
    CommandStatus,
    UnsupportedCommandError,
)
from shared.store.stations import get_station

__all__ = ["REQUESTED_BY", "CommandBody", "add_routes", "decode_command"]

#: Who asked, as stored with every command sent through this API.
REQUESTED_BY = "operator"
MAX_TIMEOUT_S = 3600.0


class CommandBody(BaseModel):
    """`POST /admin/stations/{id}/commands`."""

    model_config = ConfigDict(extra="forbid")

    command: str = Field(min_length=1, max_length=48)
    params: dict[str, Any] = Field(default_factory=dict)
    timeout: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT_S)
    wait: bool = True


def decode_command(kind: str, params: dict[str, Any]) -> Command:
    """The domain command `kind` with `params`; `InvalidBodyError` names what is wrong."""
    cls = COMMAND_TYPES.get(kind)
    if cls is None:
        known = ", ".join(sorted(COMMAND_TYPES))
        raise InvalidBodyError(f"unknown command {kind!r}; known: {known}")
    fields = [f for f in dataclasses.fields(cls) if f.init]
    names = {f.name for f in fields}
    unknown = sorted(set(params) - names)
    if unknown:
        raise InvalidBodyError(
            f"{kind} has no field(s) {', '.join(unknown)}; it has {', '.join(sorted(names))}"
        )
    missing = [f.name for f in fields if f.name not in params and _required(f)]
    if missing:
        raise InvalidBodyError(f"{kind} needs field(s) {', '.join(missing)}")
    try:
        return decode_dataclass(cls, params)
    except (CodecError, UnsupportedCommandError) as exc:
        raise InvalidBodyError(str(exc)) from None


def _required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _service(request: web.Request) -> CommandService:
    service = request.app[SERVICES].commands
    if service is None:
        raise UnavailableError("this node does not send commands")
    return service


def _never_sent(record: CommandRecord) -> bool:
    return record.status is CommandStatus.FAILED and record.sent_at is None


async def submit(request: web.Request) -> web.Response:
    station_id = request.match_info["station_id"]
    body = await read_body(request, CommandBody)
    command = decode_command(body.command, body.params)
    service = _service(request)
    database = request.app[SERVICES].database
    async with database.read() as conn:
        if await get_station(conn, station_id) is None:
            raise NotFoundError(f"unknown station {station_id!r}")
    try:
        if body.wait:
            record = await service.execute(station_id, command, REQUESTED_BY, body.timeout)
        else:
            record = await service.submit(station_id, command, REQUESTED_BY, timeout=body.timeout)
    except (UnsupportedCommandError, ValueError) as exc:
        raise InvalidBodyError(str(exc)) from None
    if _never_sent(record):
        async with database.read() as conn:
            station = await get_station(conn, station_id)
        if station is None or not station.connected or record.target_node is None:
            raise StationOfflineError(
                record.error or f"station {station_id} is not connected",
                command=command_json(record),
            )
    return json_response(command_json(record), status=200 if body.wait else 202)


async def list_all(request: web.Request) -> web.Response:
    station_id = request.query.get("station_id") or None
    limit = query_int(request, "limit", default=100, minimum=1, maximum=10_000) or 100
    records = await _service(request).list(station_id, limit)
    return json_response([command_json(record) for record in records])


async def show(request: web.Request) -> web.Response:
    command_id = request.match_info["command_id"]
    record = await _service(request).get(command_id)
    if record is None:
        raise NotFoundError(f"no command {command_id!r}")
    return json_response(command_json(record))


def add_routes(router: web.UrlDispatcher) -> None:
    """Register the command routes on the admin app's router."""
    router.add_post("/stations/{station_id}/commands", submit)
    router.add_get("/commands", list_all)
    router.add_get("/commands/{command_id}", show)
