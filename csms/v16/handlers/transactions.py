"""StartTransaction, StopTransaction and MeterValues (OCPP 1.6 §4.3, §4.7, §4.8, §5.x).

The 1.6 transactionId is our database id (`transactions.id`); the connection's view maps
`str(id)` → id for the station's active transactions, so the frequent MeterValues needs no
lookup. Everything the charger reports is stored before the answer goes out, including
what it should not have sent (PITFALLS "Real chargers" #1, #2, #6, #7, #8).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from csms.common import charger_time, now_utc
from csms.context import StationContext
from csms.v16.mapping import id_tag_info, meter_report, transaction_start, transaction_stop
from shared.authorization import IdToken
from shared.domain.transactions import TransactionState
from shared.usecases.authorization import authorize_token, transaction_authorization
from shared.usecases.transactions import (
    MeterOutcome,
    StartOutcome,
    StopOutcome,
    record_meter_values,
    start_transaction,
    stop_transaction,
)

__all__ = ["on_meter_values", "on_start_transaction", "on_stop_transaction"]


def _clock(ctx: StationContext, now: datetime, field: str) -> Callable[[str | None], datetime]:
    """Reads a charger timestamp leniently; one it cannot read stands for the receipt time."""

    def parse(text: str | None) -> datetime:
        return charger_time(ctx, text, field) or now

    return parse


async def on_start_transaction(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Record the start (the same start twice gets the same transactionId) and answer with
    the idTag's status; a transaction with a refused idTag is recorded all the same."""
    now = now_utc()
    token = IdToken(payload["idTag"])
    result = await authorize_token(ctx.services.authorizer, ctx.station_id, token, now)
    start = transaction_start(
        ctx.station_id, payload, _clock(ctx, now, "timestamp")(payload["timestamp"])
    )
    authorization = transaction_authorization(result)
    outcome: StartOutcome = await ctx.commit(
        lambda uow: start_transaction(uow, start, authorization)
    )
    view = ctx.view
    for closed in outcome.closed:
        view.forget_transaction(str(closed))
    if outcome.active:
        view.remember_transaction(
            str(outcome.transaction_id), outcome.transaction_id, outcome.state
        )
    ctx.log.info(
        "ocpp.transaction.started",
        transaction_id=outcome.transaction_id,
        connector_id=payload["connectorId"],
        id_tag=token.value,
        status=result.status.value,
        duplicate=outcome.duplicate,
        closed=list(outcome.closed),
    )
    return {"transactionId": outcome.transaction_id, "idTagInfo": id_tag_info(result)}


async def on_stop_transaction(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Record the stop, however the charger names the transaction, and answer with the
    idTag's status when it sent one (§6.49: idTagInfo only then)."""
    now = now_utc()
    id_tag = payload.get("idTag")
    result = None
    if id_tag is not None:
        token = IdToken(id_tag)
        result = await authorize_token(ctx.services.authorizer, ctx.station_id, token, now)
    meter = meter_report(
        payload.get("transactionData") or [],
        ctx.station_id,
        0,
        None,
        _clock(ctx, now, "transactionData.timestamp"),
    )
    stop = transaction_stop(
        ctx.station_id, payload, _clock(ctx, now, "timestamp")(payload["timestamp"]), meter
    )
    known = ctx.view.known_transaction(str(payload["transactionId"]))
    outcome: StopOutcome = await ctx.commit(lambda uow: stop_transaction(uow, stop, known))
    ctx.view.forget_transaction(outcome.transaction_ref)
    ctx.log.info(
        "ocpp.transaction.stopped",
        transaction_id=outcome.transaction_id,
        charger_transaction_id=payload["transactionId"],
        match=outcome.match.value,
        reason=stop.reason,
        skipped_samples=meter.skipped,
    )
    return {"idTagInfo": id_tag_info(result)} if result is not None else {}


async def on_meter_values(ctx: StationContext, payload: dict[str, Any]) -> dict[str, Any]:
    """Store every sampled value (deferred) and the transaction's energy.

    A transactionId that is not one of the station's active transactions (a stopped one, or
    one the charger invented) is looked up and linked if it exists; values without one
    (connector 0, clock-aligned) are stored unlinked (PITFALLS #7).
    """
    charger_transaction = payload.get("transactionId")
    transaction_id: int | None = None
    known: TransactionState | None = None
    lookup: str | None = None
    if charger_transaction is not None:
        ref = str(charger_transaction)
        active = ctx.view.known_transaction(ref)
        if active is None:
            lookup = ref
        else:
            transaction_id, known = active
    report = meter_report(
        payload["meterValue"],
        ctx.station_id,
        payload["connectorId"],
        transaction_id,
        _clock(ctx, now_utc(), "meterValue.timestamp"),
    )
    if report.skipped:
        ctx.log.warning("ocpp.meter_values.skipped", count=report.skipped)
    outcome: MeterOutcome = await ctx.commit(
        lambda uow: record_meter_values(
            uow,
            ctx.station_id,
            report,
            transaction_id=transaction_id,
            transaction_ref=lookup,
            known=known,
        )
    )
    if outcome.state is not None and outcome.state is not known and transaction_id is not None:
        ctx.view.remember_transaction(str(charger_transaction), transaction_id, outcome.state)
    return {}
