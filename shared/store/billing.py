"""What billing reads and writes: sessions with their prices, readings, charging states,
tariffs and billing snapshots.

Reads take an `AsyncConnection` and return frozen dataclasses; writes take the `UnitOfWork`
they belong to. Nothing here prices anything: `shared.billing` does, from what these return.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.billing.codec import tariff_from_document
from shared.billing.errors import TariffError
from shared.billing.tariff import Price, Tariff
from shared.billing.usage_from_store import (
    CURRENT,
    ENERGY_REGISTER,
    POWER,
    STATUS_WORDS,
    MeterReading,
    StateChange,
    usage_state_of,
)
from shared.domain.transactions import SUPERSEDED_STOP_REASON
from shared.logging import get_logger

# Re-exported: the site and token reads were first published from this module.
from shared.store.billing_context import (
    SiteRecord,
    TokenRecord,
    cost_display_enabled,
    session_token,
    site_record,
)
from shared.store.tables import (
    connector_status_history,
    connectors,
    meter_values,
    tariffs,
    transaction_events,
    transactions,
)
from shared.store.uow import UnitOfWork

__all__ = [
    "SessionRecord",
    "SiteRecord",
    "StoredTariff",
    "TokenRecord",
    "active_session_ids",
    "connector_tariffs",
    "cost_display_enabled",
    "get_session_record",
    "get_stored_tariff",
    "meter_readings",
    "session_token",
    "set_billing_snapshot",
    "set_running_cost",
    "site_record",
    "state_changes",
    "status_changes",
]

log = get_logger(__name__)

_BILLED_MEASURANDS = (ENERGY_REGISTER, POWER, CURRENT)


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A transaction with everything billing needs of it."""

    id: int
    station_id: str
    evse_id: int
    connector_id: int
    transaction_ref: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    id_token: str | None
    id_token_type: str | None
    partner_id: int | None
    authorization_reference: str | None
    command_id: str | None
    remote_start_id: int | None
    meter_start_wh: float | None
    meter_stop_wh: float | None
    energy_wh: float
    stop_reason: str | None
    tariff_id: str | None
    currency: str | None
    cost_excl_vat: Decimal | None
    cost_incl_vat: Decimal | None
    last_updated: datetime | None = None  # when the row last changed (our clock)
    # What billing fixed at the start (`shared.billing.snapshot`), as stored; None until then.
    billing_snapshot: Mapping[str, Any] | None = None

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def closed_by_us(self) -> bool:
        """Completed by us because the charger started another session on the connector
        without stopping this one: its real stop may still come (PITFALLS #6)."""
        return (
            not self.active
            and self.stop_reason == SUPERSEDED_STOP_REASON
            and self.meter_stop_wh is None
        )


def _session(row: Row[Any]) -> SessionRecord:
    return SessionRecord(
        id=row.id,
        station_id=row.station_id,
        evse_id=row.evse_id,
        connector_id=row.connector_id,
        transaction_ref=row.transaction_ref,
        status=row.status,
        started_at=row.started_at,
        ended_at=row.ended_at,
        id_token=row.id_token,
        id_token_type=row.id_token_type,
        partner_id=row.partner_id,
        authorization_reference=row.authorization_reference,
        command_id=row.command_id,
        remote_start_id=row.remote_start_id,
        meter_start_wh=row.meter_start_wh,
        meter_stop_wh=row.meter_stop_wh,
        energy_wh=float(row.energy_wh or 0.0),
        stop_reason=row.stop_reason,
        tariff_id=row.tariff_id,
        currency=row.currency,
        cost_excl_vat=row.cost_excl_vat,
        cost_incl_vat=row.cost_incl_vat,
        last_updated=row.last_updated,
        billing_snapshot=_mapping_or_none(row.billing_snapshot),
    )


def _mapping_or_none(value: object) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


async def get_session_record(conn: AsyncConnection, transaction_id: int) -> SessionRecord | None:
    """The transaction `transaction_id`, or None."""
    row = (
        await conn.execute(select(transactions).where(transactions.c.id == transaction_id))
    ).first()
    return None if row is None else _session(row)


async def active_session_ids(conn: AsyncConnection, station_ids: Collection[str]) -> list[int]:
    """Ids of the active transactions of the stations."""
    rows = await conn.execute(
        select(transactions.c.id).where(
            transactions.c.status == "active", transactions.c.station_id.in_(list(station_ids))
        )
    )
    return [row.id for row in rows]


async def meter_readings(
    conn: AsyncConnection, transaction_ids: Collection[int], *, after_id: int = 0
) -> dict[int, list[MeterReading]]:
    """The billing-relevant readings of the transactions stored after row `after_id`."""
    if not transaction_ids:
        return {}
    rows = await conn.execute(
        select(
            meter_values.c.id,
            meter_values.c.transaction_id,
            meter_values.c.timestamp,
            meter_values.c.measurand,
            meter_values.c.value,
            meter_values.c.unit,
            meter_values.c.phase,
            meter_values.c.location,
        )
        .where(
            meter_values.c.transaction_id.in_(list(transaction_ids)),
            meter_values.c.id > after_id,
            meter_values.c.measurand.in_(_BILLED_MEASURANDS),
        )
        .order_by(meter_values.c.id)
    )
    found: dict[int, list[MeterReading]] = defaultdict(list)
    for row in rows:
        found[row.transaction_id].append(
            MeterReading(
                id=row.id,
                timestamp=row.timestamp,
                measurand=row.measurand,
                value=row.value,
                unit=row.unit,
                phase=row.phase,
                location=row.location,
            )
        )
    return found


async def state_changes(
    conn: AsyncConnection, transaction_ids: Collection[int], *, after_id: int = 0
) -> dict[int, list[tuple[int, StateChange]]]:
    """(event row id, change) for each charging state the transactions' events reported."""
    if not transaction_ids:
        return {}
    rows = await conn.execute(
        select(
            transaction_events.c.id,
            transaction_events.c.transaction_id,
            transaction_events.c.timestamp,
            transaction_events.c.data,
        )
        .where(
            transaction_events.c.transaction_id.in_(list(transaction_ids)),
            transaction_events.c.id > after_id,
        )
        .order_by(transaction_events.c.id)
    )
    found: dict[int, list[tuple[int, StateChange]]] = defaultdict(list)
    for row in rows:
        data = row.data if isinstance(row.data, Mapping) else {}
        state = usage_state_of(data.get("charging_state"))
        if state is not None:
            found[row.transaction_id].append((row.id, StateChange(row.timestamp, state)))
    return found


async def status_changes(
    conn: AsyncConnection, transaction_ids: Collection[int], *, after_id: int = 0
) -> dict[int, list[tuple[int, StateChange]]]:
    """(status row id, change) for each connector status that tells charging from parked
    (the OCPP 1.6 words, `STATUS_WORDS`) reported at the transactions' connectors after
    their start and up to their end, stored after row `after_id`.

    A status at or before the start describes the connector before the session (Preparing
    while the driver authorises) and is left out: a session starts charging.
    """
    if not transaction_ids:
        return {}
    history = connector_status_history
    rows = await conn.execute(
        select(history.c.id, transactions.c.id.label("transaction_id"), history.c.timestamp,
               history.c.ocpp_status)
        .select_from(history.join(transactions, _CONNECTOR_OF_SESSION))
        .where(
            transactions.c.id.in_(list(transaction_ids)),
            history.c.id > after_id,
            history.c.ocpp_status.in_(sorted(STATUS_WORDS)),
            history.c.timestamp > transactions.c.started_at,
            or_(transactions.c.ended_at.is_(None), history.c.timestamp <= transactions.c.ended_at),
        )
        .order_by(history.c.id)
    )  # fmt: skip
    found: dict[int, list[tuple[int, StateChange]]] = defaultdict(list)
    for row in rows:
        state = usage_state_of(row.ocpp_status)
        if state is not None:
            found[row.transaction_id].append((row.id, StateChange(row.timestamp, state)))
    return found


_CONNECTOR_OF_SESSION = and_(
    connector_status_history.c.station_id == transactions.c.station_id,
    connector_status_history.c.evse_id == transactions.c.evse_id,
    connector_status_history.c.connector_id == transactions.c.connector_id,
)


@dataclass(frozen=True, slots=True)
class StoredTariff:
    """A stored tariff: its document as imported, and the engine's reading of it."""

    id: str
    country_code: str
    party_id: str
    currency: str
    document: Mapping[str, Any]
    tariff: Tariff
    last_updated: datetime

    def published(self) -> dict[str, Any]:
        """The OCPI Tariff object as it stands (document plus the row's identity)."""
        return dict(self.document) | {
            "country_code": self.country_code,
            "party_id": self.party_id,
            "id": self.id,
            "currency": self.currency,
            "last_updated": self.last_updated.isoformat().replace("+00:00", "Z"),
        }


def _stored_tariff(row: Row[Any]) -> StoredTariff | None:
    document = row.definition if isinstance(row.definition, Mapping) else {}
    try:
        tariff = tariff_from_document(document, tariff_id=row.id, currency=row.currency)
    except (TariffError, TypeError) as exc:
        log.error("billing.tariff.unusable", tariff_id=row.id, error=str(exc))
        return None
    return StoredTariff(
        id=row.id,
        country_code=row.country_code,
        party_id=row.party_id,
        currency=row.currency,
        document=document,
        tariff=tariff,
        last_updated=row.last_updated,
    )


async def get_stored_tariff(conn: AsyncConnection, tariff_id: str) -> StoredTariff | None:
    """The tariff `tariff_id` (deleted ones too: a session keeps its tariff), or None."""
    row = (await conn.execute(select(tariffs).where(tariffs.c.id == tariff_id))).first()
    return None if row is None else _stored_tariff(row)


async def connector_tariffs(
    conn: AsyncConnection, station_id: str, evse_id: int, connector_id: int
) -> list[StoredTariff]:
    """The connector's tariffs in the order of its `tariff_ids`, deleted ones left out."""
    ids = (
        await conn.execute(
            select(connectors.c.tariff_ids).where(
                connectors.c.station_id == station_id,
                connectors.c.evse_id == evse_id,
                connectors.c.connector_id == connector_id,
            )
        )
    ).scalar()
    if not isinstance(ids, list) or not ids:
        return []
    rows = await conn.execute(
        select(tariffs).where(tariffs.c.id.in_([str(i) for i in ids]), tariffs.c.deleted.is_(False))
    )
    by_id = {row.id: row for row in rows}
    found = [_stored_tariff(by_id[str(i)]) for i in ids if str(i) in by_id]
    return [tariff for tariff in found if tariff is not None]


async def set_billing_snapshot(
    uow: UnitOfWork,
    transaction_id: int,
    snapshot: Mapping[str, Any],
    tariff_id: str | None,
    currency: str | None,
) -> bool:
    """Record what billing fixed at the start of the session (kept for its whole life): the
    snapshot, and its tariff and currency where the session has none yet. The first
    snapshot stays; True when this call stored it."""
    result = await uow.conn.execute(
        update(transactions)
        .where(transactions.c.id == transaction_id, transactions.c.billing_snapshot.is_(None))
        .values(
            billing_snapshot=dict(snapshot),
            tariff_id=func.coalesce(transactions.c.tariff_id, tariff_id),
            currency=func.coalesce(transactions.c.currency, currency),
        )
    )
    return bool(result.rowcount)


async def set_running_cost(
    uow: UnitOfWork, transaction_id: int, cost: Price, currency: str, *, final: bool = False
) -> bool:
    """Store the session's cost so far; only while it is active unless `final` (the CDR's).

    True when the row was updated.
    """
    condition = transactions.c.id == transaction_id
    if not final:
        condition = and_(condition, transactions.c.status == "active")
    result = await uow.conn.execute(
        update(transactions)
        .where(condition)
        .values(
            cost_excl_vat=cost.excl_vat,
            cost_incl_vat=cost.incl_vat,
            currency=currency,
            last_updated=uow.now,
        )
    )
    return bool(result.rowcount)
