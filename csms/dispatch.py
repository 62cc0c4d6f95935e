"""The one place where an incoming CALL becomes a CALLRESULT or a CALLERROR.

Per version, a `RouteTable` maps each action to its handler (`csms/v16/routes.py`,
`csms/v201/routes.py`). `dispatch_call` validates the payload against the compiled schema,
enforces the registration state (a station that is not Accepted may only boot), runs the
handler and turns every failure into the right CALLERROR in the connection's vocabulary.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from csms.context import StationContext
from csms.ocppj import (
    Call,
    ErrorCode,
    OcppError,
    Validator,
    call_error_frame,
    call_result_frame,
)
from csms.ocppj.common import JsonObject, OcppVersion
from shared.domain.stations import RegistrationStatus

__all__ = ["Handler", "RouteTable", "dispatch_call"]

Handler = Callable[[StationContext, JsonObject], Awaitable[JsonObject]]


@dataclass(frozen=True, slots=True)
class RouteTable:
    """Action → handler for one OCPP version."""

    version: OcppVersion
    handlers: Mapping[str, Handler]
    # What a station may send before it is Accepted (1.6 §4.2.1 / 2.0.1 B02, B03).
    allowed_before_accepted: frozenset[str] = field(
        default_factory=lambda: frozenset({"BootNotification"})
    )


async def dispatch_call(
    ctx: StationContext,
    call: Call,
    raw: str,
    routes: RouteTable,
    validator: Validator,
    outgoing_validator: Validator | None,
) -> str:
    """Handle one CALL and return the frame that answers it."""
    try:
        response = await _run(ctx, call, raw, routes, validator)
        if outgoing_validator is not None:
            outgoing_validator.validate_response(call.action, response)
        return call_result_frame(call.message_id, response)
    except OcppError as error:
        ctx.log.warning(
            "ocpp.call.rejected",
            action=call.action,
            message_id=call.message_id,
            code=error.code.value,
            description=error.description,
        )
        await ctx.finish_call()
        return call_error_frame(call.message_id, error, routes.version)
    except Exception:
        ctx.log.exception("ocpp.call.failed", action=call.action, message_id=call.message_id)
        await _store_frame_anyway(ctx)
        internal = OcppError(ErrorCode.InternalError, f"{call.action} could not be processed")
        return call_error_frame(call.message_id, internal, routes.version)


async def _run(
    ctx: StationContext, call: Call, raw: str, routes: RouteTable, validator: Validator
) -> JsonObject:
    ctx.begin_call(raw, call.message_id, call.action)
    handler = routes.handlers.get(call.action)
    warnings = validator.validate_request(call.action, call.payload, lenient=ctx.lenient)
    if handler is None:
        # Known to the version (the validator knows its schema) but not handled by us.
        raise OcppError(ErrorCode.NotSupported, f"{call.action} is not supported")
    if warnings:
        ctx.log.warning("ocpp.call.lenient", action=call.action, warnings=warnings)
    if (
        ctx.view.registration is not RegistrationStatus.ACCEPTED
        and call.action not in routes.allowed_before_accepted
        and call.action not in ctx.view.triggered
    ):
        raise OcppError(
            ErrorCode.SecurityError,
            f"{call.action} refused: the station is {ctx.view.registration.value}, "
            "not accepted; send BootNotification first",
        )
    ctx.view.triggered.discard(call.action)
    response = await handler(ctx, call.payload)
    await ctx.finish_call()
    return response


async def _store_frame_anyway(ctx: StationContext) -> None:
    try:
        await ctx.finish_call()
    except Exception:
        ctx.log.exception("ocpp.frame_log.failed")
