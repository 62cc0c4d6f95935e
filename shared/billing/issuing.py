"""Issuing CDRs: pricing a finished session from the store, once; credit CDRs on request.

`issue_cdr` prices a completed transaction from the same rows and with the same
`UsageBuilder` as its running cost (never inside the OCPP writer's batch: the batch only
receives the finished CDR row). A CDR's id is fixed per session (`cdr_id_for`) and inserted
"if absent", so two nodes (or a scan racing an event) issue it once; only the insert that
wins emits `CdrCreated`.

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
from shared.billing.tariff import Price, select_tariff
from shared.billing.usage import SessionUsage, UsageSample, UsageState
from shared.billing.usage_from_store import build_usage
from shared.events import CdrCreated
from shared.logging import get_logger
from shared.store.billing import (
    SessionRecord,
    StoredTariff,
    connector_tariffs,
    get_session_record,
    get_stored_tariff,
    meter_readings,
    set_running_cost,
    set_session_tariff,
    state_changes,
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


async def _session_tariff(
    conn: AsyncConnection, session: SessionRecord
) -> tuple[StoredTariff | None, bool]:
    """The tariff the session was priced with since its start (chosen now if it never was:
    the same choice the running cost makes); True when it was chosen now."""
    if session.tariff_id is not None:
        return await get_stored_tariff(conn, session.tariff_id), False
    candidates = await connector_tariffs(
        conn, session.station_id, session.evse_id, session.connector_id
    )
    chosen = select_tariff([c.tariff for c in candidates], session.started_at)
    found = next((c for c in candidates if chosen is not None and c.id == chosen.id), None)
    return found, found is not None


def _fallback_usage(session: SessionRecord, time_zone: str) -> SessionUsage:
    """The session as one stretch of its recorded energy, for rows that cannot be used."""
    end = max(session.ended_at or session.started_at, session.started_at)
    energy = Decimal(repr(max(session.energy_wh, 0.0)))
    samples = [UsageSample(session.started_at, Decimal(0), UsageState.CHARGING)]
    if end > session.started_at:
        samples.append(UsageSample(end, energy, UsageState.CHARGING))
    return SessionUsage(session.started_at, end, time_zone, tuple(samples))


async def _priced(
    conn: AsyncConnection,
    session: SessionRecord,
    tariff: StoredTariff | None,
    time_zone: str,
    currency: str,
) -> PricedSession:
    readings = (await meter_readings(conn, [session.id])).get(session.id, [])
    changes = (await state_changes(conn, [session.id])).get(session.id, [])
    try:
        usage = build_usage(
            started_at=session.started_at,
            ended_at=session.ended_at or session.started_at,
            time_zone=time_zone,
            readings=readings,
            changes=[change for _, change in changes],
            meter_start_wh=_wh(session.meter_start_wh),
            meter_stop_wh=_wh(session.meter_stop_wh),
        )
    except UsageError as exc:
        log.warning("billing.cdr.usage_unusable", transaction_id=session.id, error=str(exc))
        usage = _fallback_usage(session, time_zone)
    return price_session(tariff.tariff if tariff is not None else free_tariff(currency), usage)


@dataclass(frozen=True, slots=True)
class PreparedCdr:
    """A CDR ready to store, and the tariff to record on the session if chosen just now."""

    cdr: StoredCdr
    chosen_tariff: StoredTariff | None


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
    tariff, chosen_now = await _session_tariff(conn, session)
    site = await site_record(conn, session.station_id, session.evse_id, session.connector_id)
    token = await session_token(conn, session)
    priced = await _priced(conn, session, tariff, site.time_zone, issuer.currency)
    record = build_cdr(
        cdr_id=cdr_id_for(session),
        issuer=issuer,
        session=session,
        priced=priced,
        tariff=tariff,
        site=site,
        token=token,
        issued_at=issued_at,
    )
    cdr = _issued_row(record, session, priced, issued_at)
    return PreparedCdr(cdr, tariff if chosen_now else None)


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
    cdr, chosen = prepared.cdr, prepared.chosen_tariff

    async def store(uow: UnitOfWork) -> bool:
        if chosen is not None:
            await set_session_tariff(uow, transaction_id, chosen.id, chosen.currency)
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
