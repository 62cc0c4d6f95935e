"""OCPI 2.2.1 Session from a `SessionSnapshot`, and ChargingPreferences to store.

- `id` is our transaction id; `location_id`/`evse_uid`/`connector_id` are those published
  now. A session at an EVSE that is on no location (a private charger) has no such ids;
  it gets ``#NA`` (transport_and_format, *No data available*: a required field that cannot
  be filled).
- `status`: ACTIVE while the transaction runs, COMPLETED after (mod_sessions,
  SessionStatus); `end_date_time` once it ended.
- charging periods and totals come from billing's pricing (`ocpi_gateway.mapping.sessions`),
  volumes rounded like the CDR's: kWh to the Wh, hours to six places, power and current
  to three.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ocpi_gateway.mapping.sessions import SessionSnapshot
from ocpi_gateway.services import OcpiIdentity
from ocpi_gateway.v221.models import Session
from shared.billing import PricedSession
from shared.billing.amounts import round_hours, round_kwh, round_price_in
from shared.billing.results import PeriodDimension

__all__ = ["NOT_AVAILABLE", "session_to_wire"]

NOT_AVAILABLE = "#NA"

_HOURS = (PeriodDimension.TIME, PeriodDimension.PARKING_TIME, PeriodDimension.RESERVATION_TIME)
_THOUSANDTHS = Decimal("0.001")


def _volume(dimension: PeriodDimension, value: Decimal) -> Decimal:
    if dimension is PeriodDimension.ENERGY:
        return round_kwh(value)
    if dimension in _HOURS:
        return round_hours(value)
    return value.quantize(_THOUSANDTHS)


def _periods(priced: PricedSession, tariff_id: str | None) -> list[dict[str, Any]]:
    periods = []
    for period in priced.periods:
        dimensions = [
            {"type": dimension.value, "volume": _volume(dimension, value)}
            for dimension, value in period.dimensions
        ]
        if not dimensions:
            continue
        entry: dict[str, Any] = {"start_date_time": period.start, "dimensions": dimensions}
        if tariff_id:
            entry["tariff_id"] = tariff_id
        periods.append(entry)
    return periods


def session_to_wire(snapshot: SessionSnapshot, identity: OcpiIdentity) -> Session:
    """The 2.2.1 Session of a snapshot (validated by the model)."""
    session = snapshot.session
    place = snapshot.place
    data: dict[str, Any] = {
        "country_code": identity.country_code,
        "party_id": identity.party_id,
        "id": str(session.id),
        "start_date_time": session.started_at,
        "kwh": snapshot.kwh,
        "cdr_token": snapshot.token,
        "auth_method": snapshot.auth_method,
        "location_id": place.location_id or NOT_AVAILABLE,
        "evse_uid": place.evse_uid or NOT_AVAILABLE,
        "connector_id": str(session.connector_id or 1),
        "currency": snapshot.currency,
        "status": "ACTIVE" if session.active else "COMPLETED",
        "last_updated": snapshot.last_updated,
    }
    optional: dict[str, Any] = {
        "end_date_time": session.ended_at,
        "authorization_reference": session.authorization_reference,
        "meter_id": place.meter_id,
    }
    if snapshot.priced is not None:
        optional["charging_periods"] = _periods(snapshot.priced, snapshot.tariff_id) or None
    if snapshot.cost is not None:
        cost = round_price_in(snapshot.cost, snapshot.currency)
        optional["total_cost"] = {"excl_vat": cost.excl_vat}
        if cost.incl_vat is not None:
            optional["total_cost"]["incl_vat"] = cost.incl_vat
    data.update({k: v for k, v in optional.items() if v is not None})
    return Session.model_validate(data)
