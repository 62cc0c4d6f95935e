"""*ChargingProfiles* module, 2.2.1, Receiver interface (mod_charging_profiles).

On `{chargingprofiles}/{session_id}`, for a session of the requesting partner:

- GET `?duration=&response_url=`: the charger's composite schedule (GetCompositeSchedule),
  POSTed as an ActiveChargingProfileResult;
- PUT (SetChargingProfile body): the profile installed as the transaction's TxProfile
  (`ocpi_gateway.v221.mapping.chargingprofiles`), ChargingProfileResult POSTed;
- DELETE `?response_url=`: the partner's TxProfile cleared, ClearProfileResult POSTed.

Each answers at once with a ChargingProfileResponse (mod_charging_profiles,
*ChargingProfileResponseType*): UNKNOWN_SESSION for a session the partner cannot see,
REJECTED once it has ended or for a profile the charger cannot take, NOT_SUPPORTED when
this node relays no commands, else ACCEPTED with the timeout of the result. The result
follows when the charger answers or the timeout passes (UNKNOWN: no answer).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ocpi_gateway.errors import InvalidParametersError
from ocpi_gateway.routing import ModuleSpec, OcpiRequest, OcpiResult, Route, parse_body
from ocpi_gateway.scope import partner_scope
from ocpi_gateway.v221.command_results import relay_result
from ocpi_gateway.v221.mapping.chargingprofiles import (
    STACK_LEVEL,
    composite_to_wire,
    profile_from_wire,
)
from ocpi_gateway.v221.models import (
    ActiveChargingProfileResult,
    ChargingProfileResponse,
    ChargingProfileResponseType,
    ChargingProfileResultType,
    SetChargingProfile,
    dump,
)
from shared.commands import CommandRecord
from shared.domain.commands import (
    ChargingProfilePurpose,
    ClearChargingProfile,
    Command,
    CommandStatus,
    GetCompositeSchedule,
)
from shared.domain.commands import SetChargingProfile as SetProfileCommand
from shared.logging import get_logger
from shared.store.billing import SessionRecord
from shared.store.partner_feeds import find_session

__all__ = ["MODULE", "profile_result"]

log = get_logger("laddpunkt.ocpi.chargingprofiles")

#: Routing between nodes and the writer's batching come on top of the charger's time.
_SLACK = timedelta(seconds=5)
#: A day: far beyond any session a composite schedule is asked for.
_MAX_DURATION = 86_400


class _Refused(Exception):
    def __init__(self, result: ChargingProfileResponseType, message: str) -> None:
        super().__init__(message)
        self.result = result


def profile_result(record: CommandRecord | None) -> ChargingProfileResultType:
    """The ChargingProfileResultType of a finished command (None: no answer in time)."""
    if record is None or record.status in (CommandStatus.TIMEOUT, CommandStatus.FAILED):
        return ChargingProfileResultType.UNKNOWN
    if record.status is CommandStatus.ACCEPTED:
        return ChargingProfileResultType.ACCEPTED
    return ChargingProfileResultType.REJECTED


async def _session(request: OcpiRequest) -> SessionRecord:
    session_id = request.path_params["session_id"]
    async with request.services.database.read() as conn:
        found = await find_session(conn, partner_scope(request.context), session_id)
    if found is None:
        raise _Refused(ChargingProfileResponseType.UNKNOWN_SESSION, "unknown session")
    if not found.record.active:
        raise _Refused(ChargingProfileResponseType.REJECTED, "the session has ended")
    return found.record


def _response_url(request: OcpiRequest) -> str:
    url = request.query.get("response_url", "")
    if not url.startswith(("http://", "https://")) or len(url) > 2048:
        raise InvalidParametersError("response_url is missing or not an http(s) URL")
    return url


def _answer(result: ChargingProfileResponseType, timeout: int) -> OcpiResult:
    return OcpiResult(dump(ChargingProfileResponse(result=result, timeout=timeout)))


async def _relay(
    request: OcpiRequest,
    station_id: str,
    command: Command,
    response_url: str,
    body: Any,
) -> OcpiResult:
    commands = request.services.commands
    if commands is None:
        return _answer(ChargingProfileResponseType.NOT_SUPPORTED, 0)
    timeout = request.services.settings.ocpi.command_timeout
    partner = request.context.partner
    record = await commands.submit(station_id, command, f"ocpi:{partner.id}", timeout=timeout)
    log.info("ocpi.chargingprofile.submitted", kind=command.kind, id=record.id)
    total = timeout + _SLACK.total_seconds()
    relay_result(
        commands,
        request,
        record.id,
        response_url,
        total,
        body,
    )
    return _answer(ChargingProfileResponseType.ACCEPTED, int(total))


async def get_profile(request: OcpiRequest) -> OcpiResult:
    """GET {chargingprofiles}/{session_id}?duration={duration}&response_url={url}."""
    raw = request.query.get("duration", "")
    if not raw.isdigit() or not 0 < int(raw) <= _MAX_DURATION:
        raise InvalidParametersError(f"duration must be 1 to {_MAX_DURATION} seconds")
    response_url = _response_url(request)
    try:
        session = await _session(request)
    except _Refused as refused:
        return _answer(refused.result, 0)
    command = GetCompositeSchedule(evse_id=session.evse_id, duration_s=int(raw))
    now = request.services.clock()

    async def body(final: CommandRecord | None) -> dict[str, Any]:
        result = profile_result(final)
        active = composite_to_wire(final.response or {}, now) if final else None
        if result is ChargingProfileResultType.ACCEPTED and active is not None:
            answer = {"result": result.value, "profile": active}
            return dump(ActiveChargingProfileResult.model_validate(answer))
        return {"result": result.value}

    return await _relay(request, session.station_id, command, response_url, body)


async def put_profile(request: OcpiRequest) -> OcpiResult:
    """PUT {chargingprofiles}/{session_id} with a SetChargingProfile body."""
    set_profile = parse_body(request, SetChargingProfile)
    try:
        session = await _session(request)
    except _Refused as refused:
        return _answer(refused.result, 0)
    try:
        profile = profile_from_wire(set_profile.charging_profile, session.transaction_ref)
    except ValueError as exc:
        raise InvalidParametersError(f"unusable charging profile: {exc}") from None
    command = SetProfileCommand(evse_id=session.evse_id, profile=profile)
    url = str(set_profile.response_url)
    return await _relay(request, session.station_id, command, url, _plain_result)


async def delete_profile(request: OcpiRequest) -> OcpiResult:
    """DELETE {chargingprofiles}/{session_id}?response_url={url}."""
    response_url = _response_url(request)
    try:
        session = await _session(request)
    except _Refused as refused:
        return _answer(refused.result, 0)
    command = ClearChargingProfile(
        evse_id=session.evse_id, purpose=ChargingProfilePurpose.TX, stack_level=STACK_LEVEL
    )
    return await _relay(request, session.station_id, command, response_url, _plain_result)


async def _plain_result(final: CommandRecord | None) -> dict[str, Any]:
    return {"result": profile_result(final).value}


MODULE = ModuleSpec(
    identifier="chargingprofiles",
    role="RECEIVER",
    routes=(
        Route("GET", "/{session_id}", get_profile),
        Route("PUT", "/{session_id}", put_profile),
        Route("DELETE", "/{session_id}", delete_profile),
    ),
)
