"""Stored tariff documents ↔ domain `Tariff`s, and exact numbers in JSON.

A tariff is stored (`tariffs.definition`) as the JSON document the operator imported: an OCPI
2.2.1 Tariff object with its field names (mod_tariffs, "Tariff Object"). That keeps the
document the CDR must embed "as it was at the start of the session" (mod_cdrs, CDR object)
byte for byte, and lets the OCPI gateway serve it without a mapping of its own. This module
reads the pricing part of such a document into the engine's `Tariff`; display texts, URLs and
the energy mix are left in the document.

JSON numbers are turned into `Decimal` through their shortest text (`Decimal(str(x))`), so a
price written as `0.25` is exactly 0.25 even though the JSON parser made a float of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.billing.errors import TariffError
from shared.billing.tariff import (
    DayOfWeek,
    Price,
    PriceComponent,
    ReservationRestriction,
    Restrictions,
    Tariff,
    TariffDimension,
    TariffElement,
    TariffType,
)

__all__ = ["json_decimal", "json_number", "tariff_from_document"]


def json_decimal(value: object, name: str) -> Decimal:
    """A JSON number (int, float or numeric string) as an exact `Decimal`."""
    if isinstance(value, bool):
        raise TariffError(f"{name} must be a number, got a boolean")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float | str):
        try:
            result = Decimal(str(value))
        except InvalidOperation:
            raise TariffError(f"{name} must be a number, got {value!r}") from None
        if result.is_finite():
            return result
    raise TariffError(f"{name} must be a finite number, got {value!r}")


def json_number(value: Decimal) -> int | float:
    """`value` for a JSON document: an int when whole, else the float whose shortest text is
    `value`'s own (exact for up to 15 significant digits, which rounded amounts have)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _optional_decimal(doc: Mapping[str, Any], key: str, where: str) -> Decimal | None:
    value = doc.get(key)
    return None if value is None else json_decimal(value, f"{where}.{key}")


def _price(value: object, where: str) -> Price | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TariffError(f"{where} must be a Price object")
    return Price(
        json_decimal(value.get("excl_vat"), f"{where}.excl_vat"),
        _optional_decimal(value, "incl_vat", where),
    )


def _time_of_day(value: object, where: str) -> time | None:
    # mod_tariffs, TariffRestrictions: start_time/end_time are "HH:MM" in the location's zone.
    if value is None:
        return None
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise TariffError(f"{where} must be a time of day HH:MM, got {value!r}") from None


def _date(value: object, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise TariffError(f"{where} must be a date YYYY-MM-DD, got {value!r}") from None


def _timestamp(value: object, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise TariffError(f"{where} must be an RFC 3339 date-time, got {value!r}") from None
    if moment.utcoffset() is None:  # OCPI: a DateTime without a zone is UTC (PITFALLS)
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _int(value: object, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise TariffError(f"{where} must be a whole number, got {value!r}")
    return int(value)


def _restrictions(doc: object, where: str) -> Restrictions | None:
    if doc is None:
        return None
    if not isinstance(doc, Mapping):
        raise TariffError(f"{where} must be a TariffRestrictions object")
    days = doc.get("day_of_week") or []
    try:
        reservation = doc.get("reservation")
        return Restrictions(
            start_time=_time_of_day(doc.get("start_time"), f"{where}.start_time"),
            end_time=_time_of_day(doc.get("end_time"), f"{where}.end_time"),
            start_date=_date(doc.get("start_date"), f"{where}.start_date"),
            end_date=_date(doc.get("end_date"), f"{where}.end_date"),
            min_kwh=_optional_decimal(doc, "min_kwh", where),
            max_kwh=_optional_decimal(doc, "max_kwh", where),
            min_current=_optional_decimal(doc, "min_current", where),
            max_current=_optional_decimal(doc, "max_current", where),
            min_power=_optional_decimal(doc, "min_power", where),
            max_power=_optional_decimal(doc, "max_power", where),
            min_duration=_int(doc.get("min_duration"), f"{where}.min_duration"),
            max_duration=_int(doc.get("max_duration"), f"{where}.max_duration"),
            day_of_week=frozenset(DayOfWeek(day) for day in days),
            reservation=None if reservation is None else ReservationRestriction(reservation),
        )
    except ValueError as exc:  # an unknown enum value
        raise TariffError(f"{where}: {exc}") from None


def _component(doc: object, where: str) -> PriceComponent:
    if not isinstance(doc, Mapping):
        raise TariffError(f"{where} must be a PriceComponent object")
    try:
        dimension = TariffDimension(str(doc.get("type")))
    except ValueError:
        raise TariffError(f"{where}.type: unknown dimension {doc.get('type')!r}") from None
    step = _int(doc.get("step_size", 1), f"{where}.step_size")
    return PriceComponent(
        type=dimension,
        price=json_decimal(doc.get("price"), f"{where}.price"),
        vat=_optional_decimal(doc, "vat", where),
        step_size=1 if step is None else step,
    )


def _elements(docs: object) -> tuple[TariffElement, ...]:
    if not isinstance(docs, Sequence) or isinstance(docs, str):
        raise TariffError("elements must be a list")
    elements = []
    for number, doc in enumerate(docs):
        where = f"elements[{number}]"
        if not isinstance(doc, Mapping):
            raise TariffError(f"{where} must be a TariffElement object")
        components = doc.get("price_components") or []
        elements.append(
            TariffElement(
                tuple(
                    _component(c, f"{where}.price_components[{i}]")
                    for i, c in enumerate(components)
                ),
                _restrictions(doc.get("restrictions"), f"{where}.restrictions"),
            )
        )
    return tuple(elements)


def tariff_from_document(
    doc: Mapping[str, Any], *, tariff_id: str | None = None, currency: str | None = None
) -> Tariff:
    """The pricing part of a stored OCPI Tariff document as a domain `Tariff`.

    `tariff_id` and `currency` (the row's columns) win over the document's own fields, which
    a stored definition may leave out. Raises `TariffError` for anything that cannot be priced.
    """
    kind = doc.get("type")
    try:
        tariff_type = None if kind is None else TariffType(kind)
    except ValueError:
        raise TariffError(f"type: unknown tariff type {kind!r}") from None
    return Tariff(
        id=str(tariff_id if tariff_id is not None else doc.get("id", "")),
        currency=str(currency if currency is not None else doc.get("currency", "")),
        elements=_elements(doc.get("elements")),
        min_price=_price(doc.get("min_price"), "min_price"),
        max_price=_price(doc.get("max_price"), "max_price"),
        start_date_time=_timestamp(doc.get("start_date_time"), "start_date_time"),
        end_date_time=_timestamp(doc.get("end_date_time"), "end_date_time"),
        type=tariff_type,
    )
