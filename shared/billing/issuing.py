"""Issuing CDRs: pricing a finished session from the store, once; credit CDRs on request.

`issue_cdr` prices a completed transaction from the same rows and with the same
`UsageBuilder` as its running cost (never inside the OCPP writer's batch: the batch only
receives the finished CDR row). A CDR's id is fixed per session (`cdr_id_for`) and inserted
"if absent", so two nodes (or a scan racing an event) issue it once; only the insert that
wins emits `CdrCreated`. The tariff, location and time zone are those of the session's
`BillingSnapshot` (taken at the start, `shared.billing.snapshot`), or, for a session that
ended before one was taken, those standing when its CDR is issued (then stored with it).

`issue_credit_cdr` corrects a CDR the only way OCPI allows: a credit CDR (mod_cdrs,
"Credit CDRs"); the original is never changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from shared.billing.cdrs import (
    CdrAlreadyCreditedError,
    CdrIssuer,
    CdrNotFoundError,
    CreditOfCreditError,
    build_cdr,
    cdr_id_for,
    credit_record,
    free_tariff,
)
from shared.billing.codec import json_decimal
from shared.billing.errors import UsageError
from shared.billing.pricing import price_session
from shared.billing.results import PricedSession
from shared.billing.snapshot import BillingSnapshot, session_snapshot
from shared.billing.tariff import Price
from shared.billing.usage import SessionUsage, UsageSample, UsageState
from shared.billing.usage_from_store import build_usage
from shared.events import CdrCreated
from shared.logging import get_logger
from shared.store.billing import (
    SessionRecord,
    get_session_record,
    meter_readings,
    set_billing_snapshot,
    set_running_cost,
    state_changes,
    status_changes,
)
from shared.store.billing_context import session_token, site_record
from shared.store.cdrs import (
    StoredCdr,
    cdr_for_transaction,
    credit_of,
    get_cdr,
    insert_cdr,
)
from shared.store.database import Database
from shared.store.uow import UnitOfWork
from shared.store.writer import BatchWriter

__all__ = ["SETTLE_SECONDS", "PreparedCdr", "issue_cdr", "issue_credit_cdr", "prepare_cdr"]

log = get_logger(__name__)

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _wh(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value))


def _fallback_usage(session: SessionRecord, time_zone: str) -> SessionUsage:
    """The session as one stretch of its recorded energy, for rows that cannot be used."""
    end = max(session.ended_at or session.started_at, session.started_at)
    energy = Decimal(repr(max(session.energy_wh, 0.0)))
    samples = [UsageSample(session.started_at, Decimal(0), UsageState.CHARGING)]
    if end > session.started_at:
        samples.append(UsageSample(end, energy, UsageState.CHARGING))
    return SessionUsage(session.started_at, end, time_zone, tuple(samples))


async def _priced(
    conn: AsyncConnection, session: SessionRecord, snapshot: BillingSnapshot, currency: str
) -> PricedSession:
    """The session priced with its snapshot's tariff (the free one without) in its zone."""
    time_zone = snapshot.time_zone
    readings = (await meter_readings(conn, [session.id])).get(session.id, [])
    changes = (await state_changes(conn, [session.id])).get(session.id, [])
    statuses = (await status_changes(conn, [session.id])).get(session.id, [])
    try:
        usage = build_usage(
            started_at=session.started_at,
            ended_at=session.ended_at or session.started_at,
            time_zone=time_zone,
            readings=readings,
            # 1.6 statuses first: at a shared instant, a transaction event's state wins.
            changes=[change for _, change in [*statuses, *changes]],
            meter_start_wh=_wh(session.meter_start_wh),
            meter_stop_wh=_wh(session.meter_stop_wh),
        )
    except UsageError as exc:
        log.warning("billing.cdr.usage_unusable", transaction_id=session.id, error=str(exc))
        usage = _fallback_usage(session, time_zone)
    tariff = snapshot.tariff
    return price_session(tariff.tariff if tariff is not None else free_tariff(currency), usage)


@dataclass(frozen=True, slots=True)
class PreparedCdr:
    """A CDR ready to store, and the session's snapshot to record if it was taken just now
    (the session ended before the cost tracker took one)."""

    cdr: StoredCdr
    taken_snapshot: BillingSnapshot | None


def _issued_row(
    record: dict[str, Any], session: SessionRecord, priced: PricedSession, issued_at: datetime
) -> StoredCdr:
    """The `cdrs` row of a freshly built CDR record (columns repeat the record's totals)."""
    cost = record["total_cost"]
    incl = cost.get("incl_vat")
    return StoredCdr(
        id=record["id"],
        transaction_id=session.id,
        station_id=session.station_id,
        transaction_ref=session.transaction_ref,
        start_date_time=priced.start,
        end_date_time=priced.end,
        total_energy_kwh=json_decimal(record["total_energy"], "total_energy"),
        total_cost_excl_vat=json_decimal(cost["excl_vat"], "excl_vat"),
        total_cost_incl_vat=None if incl is None else json_decimal(incl, "incl_vat"),
        currency=record["currency"],
        credit=False,
        credit_reference_id=None,
        partner_id=session.partner_id,
        record=record,
        created_at=issued_at,
        last_updated=issued_at,
    )


def _credit_row(original: StoredCdr, record: dict[str, Any], issued_at: datetime) -> StoredCdr:
    """The `cdrs` row of the credit CDR of `original`: its totals negated."""
    incl = original.total_cost_incl_vat
    return StoredCdr(
        id=record["id"],
        transaction_id=original.transaction_id,
        station_id=original.station_id,
        transaction_ref=original.transaction_ref,
        start_date_time=original.start_date_time,
        end_date_time=original.end_date_time,
        total_energy_kwh=original.total_energy_kwh,
        total_cost_excl_vat=-original.total_cost_excl_vat,
        total_cost_incl_vat=None if incl is None else -incl,
        currency=original.currency,
        credit=True,
        credit_reference_id=original.id,
        partner_id=original.partner_id,
        record=record,
        created_at=issued_at,
        last_updated=issued_at,
    )


#: How long a session we closed ourselves (the charger started another one on its connector)
#: waits for its real StopTransaction before its CDR is issued from what we know.
SETTLE_SECONDS = 600.0


def _waits_for_its_stop(session: SessionRecord, now: datetime, settle_seconds: float) -> bool:
    closed_at = session.last_updated
    return (
        session.closed_by_us
        and closed_at is not None
        and (now - closed_at).total_seconds() < settle_seconds
    )


async def prepare_cdr(
    conn: AsyncConnection,
    transaction_id: int,
    issuer: CdrIssuer,
    issued_at: datetime,
    *,
    settle_seconds: float = SETTLE_SECONDS,
) -> PreparedCdr | StoredCdr | None:
    """The CDR to issue for a completed transaction; the stored one if it has one already;
    None when the transaction is unknown, still active, or closed by us less than
    `settle_seconds` ago (its real stop, with the meter stop, may still arrive: a CDR
    cannot be changed once issued, mod_cdrs)."""
    session = await get_session_record(conn, transaction_id)
    if session is None or session.active:
        return None
    if _waits_for_its_stop(session, issued_at, settle_seconds):
        return None
    existing = await cdr_for_transaction(conn, transaction_id)
    if existing is not None:
        return existing
    site = await site_record(conn, session.station_id, session.evse_id, session.connector_id)
    snapshot, taken_now = await session_snapshot(conn, session, site)
    token = await session_token(conn, session)
    priced = await _priced(conn, session, snapshot, issuer.currency)
    record = build_cdr(
        cdr_id=cdr_id_for(session),
        issuer=issuer,
        session=session,
        priced=priced,
        snapshot=snapshot,
        meter_id=site.meter_id,
        token=token,
        issued_at=issued_at,
    )
    cdr = _issued_row(record, session, priced, issued_at)
    return PreparedCdr(cdr, snapshot if taken_now else None)


async def issue_cdr(
    database: Database,
    writer: BatchWriter,
    transaction_id: int,
    issuer: CdrIssuer,
    *,
    issued_at: datetime | None = None,
    settle_seconds: float = SETTLE_SECONDS,
) -> StoredCdr | None:
    """Issue the CDR of a completed transaction (once); the CDR, or None when it is not
    ready (see `prepare_cdr`)."""
    moment = issued_at or _utc_now()
    async with database.read() as conn:
        prepared = await prepare_cdr(
            conn, transaction_id, issuer, moment, settle_seconds=settle_seconds
        )
    if prepared is None or isinstance(prepared, StoredCdr):
        return prepared
    cdr, taken = prepared.cdr, prepared.taken_snapshot

    async def store(uow: UnitOfWork) -> bool:
        if taken is not None:
            tariff = taken.tariff
            await set_billing_snapshot(
                uow,
                transaction_id,
                taken.to_json(),
                None if tariff is None else tariff.id,
                None if tariff is None else tariff.currency,
            )
        if not await insert_cdr(uow, cdr):
            return False
        total = Price(cdr.total_cost_excl_vat, cdr.total_cost_incl_vat)
        await set_running_cost(uow, transaction_id, total, cdr.currency, final=True)
        uow.emit(CdrCreated(at=uow.now, cdr_id=cdr.id, transaction_id=transaction_id))
        return True

    if await writer.run(store):
        log.info(
            "billing.cdr.issued",
            cdr_id=cdr.id,
            transaction_id=transaction_id,
            station_id=cdr.station_id,
            total_excl_vat=str(cdr.total_cost_excl_vat),
            currency=cdr.currency,
        )
        return cdr
    async with database.read() as conn:
        return await cdr_for_transaction(conn, transaction_id)


async def issue_credit_cdr(
    database: Database,
    writer: BatchWriter,
    cdr_id: str,
    reason: str | None,
    *,
    issued_at: datetime | None = None,
) -> StoredCdr:
    """Credit the CDR `cdr_id` with a new credit CDR and return it.

    Raises `CdrNotFoundError`, `CreditOfCreditError` (a credit cannot be credited) or
    `CdrAlreadyCreditedError` (a CDR is credited at most once).
    """
    moment = issued_at or _utc_now()
    async with database.read() as conn:
        original = await get_cdr(conn, cdr_id)
        if original is None:
            raise CdrNotFoundError(f"no CDR {cdr_id!r}")
        if original.credit:
            raise CreditOfCreditError(f"CDR {cdr_id} is a credit CDR; it cannot be credited")
        if await credit_of(conn, cdr_id) is not None:
            raise CdrAlreadyCreditedError(f"CDR {cdr_id} was credited already")
    credit = _credit_row(original, credit_record(original.record, reason, moment), moment)

    async def store(uow: UnitOfWork) -> bool:
        if not await insert_cdr(uow, credit):
            return False
        uow.emit(CdrCreated(at=uow.now, cdr_id=credit.id, transaction_id=credit.transaction_id))
        return True

    if not await writer.run(store):
        raise CdrAlreadyCreditedError(f"CDR {cdr_id} was credited already")
    log.info("billing.cdr.credited", cdr_id=cdr_id, credit_id=credit.id, reason=reason)
    return credit
