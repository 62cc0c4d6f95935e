"""Functional blocks E (transactions) and J (meter values): TransactionEvent (E01–E15) and
MeterValues (J01).

A TransactionEvent is stored as an event and the transaction derived from all its events in
seqNo order (`shared.usecases.transaction_events`), so events that arrive late, repeated or
from the offline queue (`offline: true`) still give the right transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from csms.common import charger_time, now_utc
from csms.context import StationContext
from csms.v201.mapping import id_token, id_token_info, meter_report, transaction_event
from shared.domain.transactions import TransactionEventType
from shared.usecases.authorization import authorize_token, transaction_authorization
from shared.usecases.transaction_events import EventOutcome, record_transaction_event
from shared.usecases.transactions import record_meter_values

__all__ = ["on_meter_values", "on_transaction_event"]


def _clock(ctx: StationContext, now: datetime, field: str) -> Callable[[str | None], datetime]:
    """Reads a charger timestamp leniently; one it cannot read stands for the receipt time."""

    def parse(text: str | None) -> datetime:
        return charger_time(ctx, text, field) or now

    return parse


async def on_transaction_event(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Record the event and answer with the idToken's status when it carries one (E01:
    idTokenInfo is required then). A transaction with a refused token is recorded all the
    same: the station decides whether to stop it (E05)."""
    now = now_utc()
    evse = payload.get("evse") or {}
    meter = meter_report(
        payload.get("meterValue") or [],
        ctx.station_id,
        evse.get("id", 0),
        _clock(ctx, now, "meterValue.timestamp"),
    )
    event = transaction_event(payload, _clock(ctx, now, "timestamp")(payload["timestamp"]), meter)
    result = None
    if "idToken" in payload:
        token = id_token(payload["idToken"])
        result = await authorize_token(ctx.services.authorizer, ctx.station_id, token, now)
    authorization = transaction_authorization(result) if result is not None else None
    known = ctx.view.known_transaction(event.transaction_ref)
    outcome: EventOutcome = await ctx.commit(
        lambda uow: record_transaction_event(
            uow, ctx.station_id, event, meter.samples, authorization, known
        )
    )
    ctx.view.remember_transaction(event.transaction_ref, outcome.transaction_id, outcome.state)
    # Started and Ended once per transaction at INFO; the Updated stream (a meter value
    # every few seconds per transaction) only at DEBUG: no per-message INFO logging.
    log = ctx.log.debug if event.event_type is TransactionEventType.UPDATED else ctx.log.info
    log(
        "ocpp.transaction.event",
        transaction_id=outcome.transaction_id,
        transaction_ref=event.transaction_ref,
        event_type=event.event_type.value,
        seq_no=event.seq_no,
        offline=event.offline,
        duplicate=outcome.duplicate,
        status=outcome.state.status.value,
    )
    return {"idTokenInfo": id_token_info(result)} if result is not None else {}


async def on_meter_values(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Store every sampled value (deferred). J01: these are not transaction data (that comes
    in TransactionEvent), so they are stored unlinked, per EVSE (0 = the station's meter)."""
    report = meter_report(
        payload["meterValue"],
        ctx.station_id,
        payload["evseId"],
        _clock(ctx, now_utc(), "meterValue.timestamp"),
    )
    await ctx.commit(lambda uow: record_meter_values(uow, ctx.station_id, report))
    return {}
