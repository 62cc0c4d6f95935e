"""*Commands* module, 2.2.1, Receiver interface (mod_commands).

POST `{commands}/{command}` answers at once with a CommandResponse, relays the command to
the charger through the command service (`shared.commands`), and POSTs a CommandResult to
the command's `response_url` once the charger answers or `[ocpi] command_timeout` passes
(`ocpi_gateway.v221.command_results`).

Immediate answers (mod_commands, *CommandResponseType*): UNKNOWN_SESSION for a
STOP_SESSION of a session the partner cannot see; REJECTED for a target we do not publish
(unknown location, EVSE or connector), a session that has ended, or an unknown
reservation; NOT_SUPPORTED when this node relays no commands; ACCEPTED otherwise, with the
timeout after which the eMSP may stop waiting. START_SESSION's token was authorized by
the eMSP: the executor grants it at the station (`Authorizer.grant_remote_start`), and the
token is kept as the partner's so the session is attributed to it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from ocpi_gateway.errors import InvalidParametersError
from ocpi_gateway.routing import ModuleSpec, OcpiRequest, OcpiResult, Route, parse_body
from ocpi_gateway.scope import partner_scope
from ocpi_gateway.v221.command_results import relay_result
from ocpi_gateway.v221.command_targets import find_evse, find_reservation, tag_reservation
from ocpi_gateway.v221.mapping.tokens import token_from_wire
from ocpi_gateway.v221.models import (
    COMMAND_REQUEST_MODELS,
    CancelReservation,
    CommandResponse,
    CommandResponseType,
    CommandResultType,
    CommandType,
    ReserveNow,
    StartSession,
    StopSession,
    Token,
    UnlockConnector,
    dump,
)
from shared.authorization import IdToken
from shared.commands import CommandRecord
from shared.domain.commands import (
    CancelReservation as CancelCommand,
)
from shared.domain.commands import (
    Command,
    CommandStatus,
    StartCharging,
    StopCharging,
    Unlock,
)
from shared.domain.commands import (
    ReserveNow as ReserveCommand,
)
from shared.logging import get_logger
from shared.store.partner_feeds import find_session
from shared.store.tokens import get_partner_token, save_partner_token
from shared.store.uow import UnitOfWork

__all__ = ["MODULE", "command_result", "ocpp_token"]

_Body = StartSession | StopSession | ReserveNow | CancelReservation | UnlockConnector

log = get_logger("laddpunkt.ocpi.commands")

#: OCPI TokenType -> OCPP 2.0.1 IdTokenEnumType (1.6 sends the value only).
_OCPP_TYPES = {"RFID": "ISO14443", "APP_USER": "Central", "AD_HOC_USER": "Central"}


class _Refused(Exception):
    """An immediate answer other than ACCEPTED."""

    def __init__(self, result: CommandResponseType, message: str) -> None:
        super().__init__(message)
        self.result = result
        self.message = message


def ocpp_token(token: Token) -> IdToken:
    """The OCPP id token of an OCPI Token (its uid; the type mapped, Central otherwise)."""
    return IdToken(str(token.uid), _OCPP_TYPES.get(token.type.value, "Central"))


def command_result(record: CommandRecord | None) -> CommandResultType:
    """The CommandResultType of a finished command (None: no answer in time)."""
    if record is None or record.status is CommandStatus.TIMEOUT:
        return CommandResultType.TIMEOUT
    if record.status is CommandStatus.ACCEPTED:
        return CommandResultType.ACCEPTED
    if record.status is CommandStatus.REJECTED:
        if record.kind == "cancel_reservation":
            return CommandResultType.UNKNOWN_RESERVATION
        return CommandResultType.REJECTED
    return CommandResultType.FAILED


async def _evse(request: OcpiRequest, location_id: str, evse_uid: str | None) -> tuple[str, int]:
    async with request.services.database.read() as conn:
        target = await find_evse(conn, str(location_id), evse_uid)
    if target is None:
        where = f"location {location_id!r}" + (f" EVSE {evse_uid!r}" if evse_uid else "")
        raise _Refused(CommandResponseType.REJECTED, f"no EVSE to command at {where}")
    return target.station_id, target.evse_id


async def _keep_token(request: OcpiRequest, token: Token) -> None:
    """Keep the START_SESSION token as the partner's (if no platform owns it yet)."""
    partner = request.context.partner
    if not (partner.is_hub or partner.hosts(token.country_code, token.party_id)):
        return
    stored = token_from_wire(token, partner.id)
    async with request.services.database.read() as conn:
        if await get_partner_token(conn, stored.source, stored.id_token) is not None:
            return

    async def write(uow: UnitOfWork) -> bool:
        return await save_partner_token(uow, stored)

    await request.services.writer.run(write)


async def _start(request: OcpiRequest, body: StartSession) -> tuple[str, Command]:
    station_id, evse_id = await _evse(request, body.location_id, body.evse_uid)
    await _keep_token(request, body.token)
    group = body.token.group_id
    command = StartCharging(
        id_token=ocpp_token(body.token),
        evse_id=evse_id,
        group_id_token=IdToken(str(group), "Central") if group else None,
    )
    return station_id, command


async def _stop(request: OcpiRequest, body: StopSession) -> tuple[str, Command]:
    async with request.services.database.read() as conn:
        found = await find_session(conn, partner_scope(request.context), str(body.session_id))
    if found is None:
        raise _Refused(CommandResponseType.UNKNOWN_SESSION, f"unknown session {body.session_id}")
    session = found.record
    if not session.active:
        raise _Refused(CommandResponseType.REJECTED, f"session {body.session_id} has ended")
    return session.station_id, StopCharging(transaction_ref=session.transaction_ref)


async def _reserve(request: OcpiRequest, body: ReserveNow) -> tuple[str, Command]:
    station_id, evse_id = await _evse(request, body.location_id, body.evse_uid)
    await _keep_token(request, body.token)
    command = ReserveCommand(
        id_token=ocpp_token(body.token), expiry=body.expiry_date, evse_id=evse_id
    )
    return station_id, command


async def _cancel(request: OcpiRequest, body: CancelReservation) -> tuple[str, Command]:
    partner_id = request.context.partner.id
    async with request.services.database.read() as conn:
        found = await find_reservation(conn, partner_id, str(body.reservation_id))
    if found is None:
        raise _Refused(CommandResponseType.REJECTED, f"unknown reservation {body.reservation_id}")
    station_id, reservation_id = found
    return station_id, CancelCommand(reservation_id=reservation_id)


async def _unlock(request: OcpiRequest, body: UnlockConnector) -> tuple[str, Command]:
    station_id, evse_id = await _evse(request, body.location_id, body.evse_uid)
    connector = str(body.connector_id)
    if not connector.isdigit() or not 0 < int(connector) < 100:
        raise _Refused(CommandResponseType.REJECTED, f"unknown connector {connector!r}")
    return station_id, Unlock(evse_id=evse_id, connector_id=int(connector))


def _response(result: CommandResponseType, timeout: int, message: str | None) -> OcpiResult:
    text = [{"language": "en", "text": message[:512]}] if message else None
    response = CommandResponse.model_validate(
        {"result": result.value, "timeout": timeout, "message": text}
    )
    return OcpiResult(dump(response))


async def post_command(request: OcpiRequest) -> OcpiResult:
    """POST {commands}/{command}."""
    name = request.path_params["command"]
    try:
        kind = CommandType(name)
    except ValueError:
        raise InvalidParametersError(f"unknown command {name!r}", http_status=404) from None
    body = parse_body(request, COMMAND_REQUEST_MODELS[kind])
    timeout = request.services.settings.ocpi.command_timeout
    commands = request.services.commands
    if commands is None:
        return _response(CommandResponseType.NOT_SUPPORTED, 0, "commands are not relayed here")
    try:
        station_id, command = await _target(request, kind, body)
    except _Refused as refused:
        log.info("ocpi.command.refused", command=kind.value, result=refused.result.value)
        return _response(refused.result, 0, refused.message)
    partner = request.context.partner
    record = await commands.submit(station_id, command, f"ocpi:{partner.id}", timeout=timeout)
    log.info("ocpi.command.submitted", command=kind.value, id=record.id, station=station_id)

    async def result_body(final: CommandRecord | None) -> dict[str, object]:
        if final is not None and isinstance(body, ReserveNow) and final.accepted:
            await _tag(request, final, str(body.reservation_id))
        message = final.error if final is not None else None
        text = [{"language": "en", "text": message[:512]}] if message else None
        return {"result": command_result(final).value, **({"message": text} if text else {})}

    relay_result(
        commands,
        request,
        record.id,
        str(cast(_Body, body).response_url),
        timeout + _SLACK.total_seconds(),
        result_body,
    )
    return _response(CommandResponseType.ACCEPTED, int(timeout + _SLACK.total_seconds()), None)


#: Routing between nodes and the writer's batching come on top of the charger's time.
_SLACK = timedelta(seconds=5)


async def _tag(request: OcpiRequest, final: CommandRecord, external_id: str) -> None:
    reservation_id = getattr(final.request, "reservation_id", None)
    if reservation_id is None:
        return
    partner_id = request.context.partner.id

    async def write(uow: UnitOfWork) -> None:
        await tag_reservation(uow, int(reservation_id), partner_id, external_id)

    await request.services.writer.run(write)


async def _target(request: OcpiRequest, kind: CommandType, body: object) -> tuple[str, Command]:
    if isinstance(body, StartSession):
        return await _start(request, body)
    if isinstance(body, StopSession):
        return await _stop(request, body)
    if isinstance(body, ReserveNow):
        return await _reserve(request, body)
    if isinstance(body, CancelReservation):
        return await _cancel(request, body)
    if isinstance(body, UnlockConnector):
        return await _unlock(request, body)
    raise _Refused(CommandResponseType.NOT_SUPPORTED, f"{kind.value} is not supported")


MODULE = ModuleSpec(
    identifier="commands",
    role="RECEIVER",
    routes=(Route("POST", "/{command}", post_command),),
)
