"""Charge detail records: the immutable, billable account of a finished session.

A CDR is stored as issued (`cdrs.record`), as a plain JSON document whose field names are
those of the OCPI 2.2.1 CDR object (mod_cdrs, "CDR Object"), so that the OCPI gateway serves
and pushes it 1:1 and `csms cdrs list --json` prints it as it is. Amounts are rounded to the
currency's minor unit, energy to the Wh, durations to six decimals of an hour
(`shared.billing.amounts`); the exact figures stay with the engine.

Rules followed here (mod_cdrs unless said otherwise):

- the Location, EVSE, connector and tariff are those of the *start* of the session
  ("CDR Object": sealed with what was valid when the session started): they come from the
  session's `BillingSnapshot` (`shared.billing.snapshot`), whose `cdr_location` follows
  CdrLocation's shorter limits;
- `auth_method` is the last method used: COMMAND for a remote start, AUTH_REQUEST when the
  eMSP authorised the token in real time, else WHITELIST;
- a session at a connector without a tariff still gets a CDR, with zero cost and charging
  periods that name no tariff: ChargingPeriod `tariff_id` "if not provided, no Tariff is
  relevant", and the CDR is the record of every concluded session, including free ones
  (`tariffs`: "a Free of Charge tariff should also be in this list" when one applies);
- a correction is a credit CDR, never an edit ("Credit CDRs"): a copy of the original with
  its own id (the original's plus `-C`), `credit` true, `credit_reference_id` the original's
  id, and only `total_cost` negated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from shared.billing.amounts import round_hours, round_kwh, round_money
from shared.billing.codec import json_number
from shared.billing.errors import BillingError
from shared.billing.results import PeriodDimension, PricedSession
from shared.billing.snapshot import BillingSnapshot, cdr_location, truncate
from shared.billing.tariff import Price, PriceComponent, Tariff, TariffDimension, TariffElement
from shared.store.billing import SessionRecord
from shared.store.billing_context import TokenRecord

__all__ = [
    "CREDIT_SUFFIX",
    "CdrAlreadyCreditedError",
    "CdrError",
    "CdrIssuer",
    "CdrNotFoundError",
    "CreditOfCreditError",
    "auth_method",
    "build_cdr",
    "cdr_id_for",
    "cdr_location",
    "cdr_token",
    "credit_record",
    "free_tariff",
    "rfc3339",
    "truncate",
]

CREDIT_SUFFIX = "-C"

#: OCPP id token types → OCPI TokenType (mod_tokens). OCPI values pass through unchanged.
_TOKEN_TYPES = {
    "ISO14443": "RFID",
    "ISO15693": "RFID",
    "Central": "APP_USER",
    "AD_HOC_USER": "AD_HOC_USER",
    "APP_USER": "APP_USER",
    "OTHER": "OTHER",
    "RFID": "RFID",
}
_POWER_PLACES = Decimal("0.001")


class CdrError(BillingError):
    """A CDR cannot be issued or credited as asked."""


class CdrNotFoundError(CdrError, LookupError):
    """No CDR has that id."""


class CdrAlreadyCreditedError(CdrError):
    """The CDR was credited already; it can be credited only once."""


class CreditOfCreditError(CdrError):
    """A credit CDR cannot itself be credited."""


@dataclass(frozen=True, slots=True)
class CdrIssuer:
    """Who issues CDRs (our OCPI identity), and the currency of free sessions' CDRs."""

    country_code: str
    party_id: str
    currency: str = "EUR"


def rfc3339(moment: datetime) -> str:
    """`moment` as RFC 3339 UTC with `Z` (OCPI DateTime)."""
    text = moment.astimezone(UTC).isoformat(
        timespec="milliseconds" if moment.microsecond else "seconds"
    )
    return text.replace("+00:00", "Z")


def cdr_id_for(session: SessionRecord) -> str:
    """The CDR id of a session: fixed per session, so a CDR is created at most once.

    At most 36 characters (a normal CDR id, mod_cdrs: the 3 extra allow a credit's suffix).
    The start date keeps ids unique even if a database is ever started afresh.
    """
    return f"{session.started_at.astimezone(UTC):%Y%m%d}-{session.id}"[:36]


def free_tariff(currency: str) -> Tariff:
    """A tariff under which everything costs nothing: it prices the periods and totals of a
    session at a connector that had no tariff (the CDR then names no tariff)."""
    return Tariff(
        id="",
        currency=currency,
        elements=(TariffElement((PriceComponent(TariffDimension.ENERGY, Decimal(0)),)),),
    )


def auth_method(session: SessionRecord) -> str:
    """How the session was authorised (AuthMethod; the last method used wins)."""
    if session.command_id is not None or session.remote_start_id is not None:
        return "COMMAND"
    if session.partner_id is not None and session.authorization_reference is not None:
        return "AUTH_REQUEST"
    return "WHITELIST"


def cdr_token(
    token: TokenRecord | None, session: SessionRecord, issuer: CdrIssuer
) -> dict[str, Any]:
    """The CdrToken: the session's id token and the party that issued it.

    A token of our own (no partner) is ours as eMSP too, so it carries our identity.
    """
    uid = (token.uid if token is not None else session.id_token) or "#NA"
    kind = token.type if token is not None else session.id_token_type
    country = token.issuer_country_code if token is not None else None
    party = token.issuer_party_id if token is not None else None
    contract = (token.contract_id if token is not None else None) or uid
    return {
        "country_code": (country or issuer.country_code)[:2],
        "party_id": (party or issuer.party_id)[:3],
        "uid": uid[:36],
        "type": _TOKEN_TYPES.get(kind or "ISO14443", "OTHER"),
        "contract_id": contract[:36],
    }


def _price(price: Price, currency: str) -> dict[str, Any]:
    document: dict[str, Any] = {"excl_vat": json_number(round_money(price.excl_vat, currency))}
    if price.incl_vat is not None:
        document["incl_vat"] = json_number(round_money(price.incl_vat, currency))
    return document


def _volume(dimension: PeriodDimension, value: Decimal) -> int | float:
    if dimension is PeriodDimension.ENERGY:
        return json_number(round_kwh(value))
    if dimension in (
        PeriodDimension.TIME,
        PeriodDimension.PARKING_TIME,
        PeriodDimension.RESERVATION_TIME,
    ):
        return json_number(round_hours(value))
    return json_number(value.quantize(_POWER_PLACES))


def _periods(priced: PricedSession, tariff_id: str | None) -> list[dict[str, Any]]:
    periods = []
    for period in priced.periods:
        document: dict[str, Any] = {
            "start_date_time": rfc3339(period.start),
            "dimensions": [
                {"type": dimension.value, "volume": _volume(dimension, value)}
                for dimension, value in period.dimensions
            ],
        }
        if tariff_id is not None:
            document["tariff_id"] = tariff_id
        periods.append(document)
    return periods


def _costs(priced: PricedSession, currency: str) -> dict[str, Any]:
    costs = {
        "total_fixed_cost": _price(priced.total_fixed_cost, currency),
        "total_energy_cost": _price(priced.total_energy_cost, currency),
        "total_time_cost": _price(priced.total_time_cost, currency),
        "total_parking_cost": _price(priced.total_parking_cost, currency),
    }
    if priced.total_reservation_cost.excl_vat:
        costs["total_reservation_cost"] = _price(priced.total_reservation_cost, currency)
    return costs


def build_cdr(
    *,
    cdr_id: str,
    issuer: CdrIssuer,
    session: SessionRecord,
    priced: PricedSession,
    snapshot: BillingSnapshot,
    meter_id: str | None,
    token: TokenRecord | None,
    issued_at: datetime,
) -> dict[str, Any]:
    """The CDR of a finished session priced with its snapshot's tariff, as issued (OCPI CDR
    field names); its tariff and location are the snapshot's (those of the start)."""
    tariff = snapshot.tariff
    currency = tariff.currency if tariff is not None else issuer.currency
    total = priced.total_cost if tariff is not None else Price(Decimal(0), Decimal(0))
    record: dict[str, Any] = {
        "country_code": issuer.country_code,
        "party_id": issuer.party_id,
        "id": cdr_id,
        "start_date_time": rfc3339(priced.start),
        "end_date_time": rfc3339(priced.end),
        "session_id": str(session.id),
        "cdr_token": cdr_token(token, session, issuer),
        "auth_method": auth_method(session),
        "authorization_reference": session.authorization_reference,
        "cdr_location": None if snapshot.cdr_location is None else dict(snapshot.cdr_location),
        "meter_id": truncate(meter_id, 255),
        "currency": currency,
        "tariffs": [tariff.published()] if tariff is not None else None,
        "charging_periods": _periods(priced, tariff.id if tariff is not None else None),
        "total_cost": _price(total, currency),
        "total_energy": json_number(round_kwh(priced.total_energy_kwh)),
        "total_time": json_number(round_hours(priced.total_time_hours)),
        "total_parking_time": json_number(round_hours(priced.total_parking_time_hours)),
        "remark": truncate(session.stop_reason and f"Stop reason: {session.stop_reason}", 255),
        "credit": False,
        "last_updated": rfc3339(issued_at),
    }
    if tariff is not None:
        record |= _costs(priced, currency)
    return {key: value for key, value in record.items() if value is not None}


def _negated(price: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: -value if isinstance(value, int | float) else value for key, value in price.items()
    }


def credit_record(
    original: Mapping[str, Any], reason: str | None, issued_at: datetime
) -> dict[str, Any]:
    """The credit CDR of `original` ("Credit CDRs": everything copied, total_cost negated)."""
    if original.get("credit"):
        raise CreditOfCreditError(f"CDR {original.get('id')} is a credit CDR itself")
    credit = dict(original)
    credit["id"] = f"{original['id']}{CREDIT_SUFFIX}"[:39]
    credit["total_cost"] = _negated(original["total_cost"])
    credit["credit"] = True
    credit["credit_reference_id"] = original["id"]
    credit["last_updated"] = rfc3339(issued_at)
    if reason:
        credit["remark"] = truncate(f"Credit: {reason}", 255)
    return credit
