"""Sessions as partners see them, whatever the OCPI version: one `SessionSnapshot` per
transaction, with its place, token, and charging periods priced the way its CDR will be.

Sessions and CDRs must tell one story, so the snapshot uses billing's own pieces: the
readings and charging states billing prices from (`shared.store.billing`), the tariff the
session started with (kept on the transaction), the token and authorisation method as the
CDR records them (`shared.billing.cdrs`), and `price_session` for the periods. A session at
a connector without a tariff is priced with billing's free tariff: its periods still show
energy and time, its cost is zero, and its periods name no tariff (mod_cdrs,
ChargingPeriod `tariff_id`). The cost is the running cost billing stored on the
transaction when there is one (it is what pushes carry), else the priced total.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from shared.billing import BillingError, Price, PricedSession, price_session
from shared.billing.amounts import round_kwh, round_price_in
from shared.billing.cdrs import CdrIssuer, auth_method, cdr_token, free_tariff
from shared.billing.usage_from_store import build_usage
from shared.logging import get_logger
from shared.store.billing import (
    SessionRecord,
    StoredTariff,
    get_stored_tariff,
    meter_readings,
    state_changes,
)
from shared.store.billing_context import session_token
from shared.store.partner_feeds import FeedSession, SessionPlace, session_places

__all__ = ["SessionSnapshot", "load_snapshots"]

log = get_logger("laddpunkt.ocpi.sessions")


@dataclass(frozen=True, slots=True)
class SessionSnapshot:
    """Everything a Session object is built from."""

    session: SessionRecord
    last_updated: datetime
    place: SessionPlace
    token: dict[str, Any]  # the CdrToken, as the CDR will record it
    auth_method: str
    currency: str
    kwh: Decimal
    cost: Price | None
    priced: PricedSession | None
    tariff_id: str | None


async def _tariffs(conn: AsyncConnection, ids: set[str]) -> dict[str, StoredTariff]:
    found: dict[str, StoredTariff] = {}
    for tariff_id in sorted(ids):
        stored = await get_stored_tariff(conn, tariff_id)
        if stored is not None:
            found[tariff_id] = stored
    return found


def _price(
    feed: FeedSession,
    place: SessionPlace,
    tariff: StoredTariff | None,
    currency: str,
    readings: Sequence[Any],
    changes: Sequence[Any],
    now: datetime,
) -> PricedSession | None:
    session = feed.record
    end = session.ended_at or max(now, session.started_at)
    try:
        usage = build_usage(
            started_at=session.started_at,
            ended_at=end,
            time_zone=place.time_zone,
            readings=readings,
            changes=changes,
            meter_start_wh=_wh(session.meter_start_wh),
            meter_stop_wh=_wh(session.meter_stop_wh) if session.ended_at else None,
        )
        return price_session(tariff.tariff if tariff else free_tariff(currency), usage)
    except BillingError as exc:
        # A session whose readings cannot be priced is still shown, without periods.
        log.warning("ocpi.sessions.unpriceable", session=session.id, error=str(exc))
        return None


def _wh(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _cost(session: SessionRecord, priced: PricedSession | None, currency: str) -> Price | None:
    if session.cost_excl_vat is not None:
        return Price(session.cost_excl_vat, session.cost_incl_vat)
    if priced is None:
        return None
    return round_price_in(priced.total_cost, currency)


async def load_snapshots(
    conn: AsyncConnection,
    feed: Sequence[FeedSession],
    *,
    issuer: CdrIssuer,
    now: datetime,
) -> list[SessionSnapshot]:
    """The snapshots of `feed`, in order (a handful of queries per page, not per row)."""
    records = [item.record for item in feed]
    ids = [record.id for record in records]
    places = await session_places(conn, records)
    readings = await meter_readings(conn, ids)
    changes = await state_changes(conn, ids)
    tariffs = await _tariffs(conn, {r.tariff_id for r in records if r.tariff_id})
    snapshots = []
    for item in feed:
        session = item.record
        place = places[session.id]
        tariff = tariffs.get(session.tariff_id) if session.tariff_id else None
        currency = session.currency or (tariff.currency if tariff else issuer.currency)
        session_changes = [change for _, change in changes.get(session.id, [])]
        priced = _price(
            item, place, tariff, currency, readings.get(session.id, []), session_changes, now
        )
        token = await session_token(conn, session)
        snapshots.append(
            SessionSnapshot(
                session=session,
                last_updated=item.last_updated,
                place=place,
                token=cdr_token(token, session, issuer),
                auth_method=auth_method(session),
                currency=currency,
                kwh=round_kwh(Decimal(str(session.energy_wh)) / 1000),
                cost=_cost(session, priced, currency),
                priced=priced,
                tariff_id=tariff.id if tariff else None,
            )
        )
    return snapshots
