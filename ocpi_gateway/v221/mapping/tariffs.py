"""OCPI 2.2.1 Tariff ↔ the stored tariff document, checked by the billing engine.

The stored form is the imported Tariff's JSON (`shared.store.tariffs`, the format billing
prices from). On import the tariff is also read into the engine's types (field by field:
`HH:MM` a `time`, `YYYY-MM-DD` a `date`, numbers `Decimal`), so a tariff the engine cannot
price is refused before it is published.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from ocpi_gateway.v221.models import Price, Tariff, TariffElement, TariffRestrictions
from shared import billing
from shared.store.tariffs import TariffRecord

__all__ = ["billing_tariff", "record_from_wire", "tariff_to_wire"]

_BOUNDS = ("min_kwh", "max_kwh", "min_current", "max_current", "min_power", "max_power")


def _price(price: Price | None) -> billing.Price | None:
    return None if price is None else billing.Price(price.excl_vat, price.incl_vat)


def _restrictions(r: TariffRestrictions | None) -> billing.Restrictions | None:
    if r is None:
        return None
    return billing.Restrictions(
        start_time=time.fromisoformat(r.start_time) if r.start_time else None,
        end_time=time.fromisoformat(r.end_time) if r.end_time else None,
        start_date=date.fromisoformat(r.start_date) if r.start_date else None,
        end_date=date.fromisoformat(r.end_date) if r.end_date else None,
        min_duration=r.min_duration,
        max_duration=r.max_duration,
        day_of_week=frozenset(billing.DayOfWeek(str(d)) for d in r.day_of_week or ()),
        reservation=billing.ReservationRestriction(str(r.reservation)) if r.reservation else None,
        **{name: getattr(r, name) for name in _BOUNDS},
    )


def _element(element: TariffElement) -> billing.TariffElement:
    return billing.TariffElement(
        price_components=tuple(
            billing.PriceComponent(
                type=billing.TariffDimension(str(c.type)),
                price=c.price,
                vat=c.vat,
                step_size=c.step_size,
            )
            for c in element.price_components
        ),
        restrictions=_restrictions(element.restrictions),
    )


def billing_tariff(tariff: Tariff) -> billing.Tariff:
    """The billing engine's reading of a 2.2.1 Tariff; `billing.TariffError` for one it
    cannot price (a negative price, min_price above max_price, …)."""
    return billing.Tariff(
        id=tariff.id,
        currency=tariff.currency,
        type=billing.TariffType(str(tariff.type)) if tariff.type else None,
        elements=tuple(_element(e) for e in tariff.elements),
        min_price=_price(tariff.min_price),
        max_price=_price(tariff.max_price),
        start_date_time=tariff.start_date_time,
        end_date_time=tariff.end_date_time,
    )


def record_from_wire(tariff: Tariff) -> TariffRecord:
    """The stored form of an imported Tariff, checked by the billing engine first.

    Raises `billing.TariffError`, or `pydantic_core.PydanticSerializationError` for a number
    JSON cannot hold exactly.
    """
    billing_tariff(tariff)
    return TariffRecord(
        id=tariff.id,
        country_code=tariff.country_code,
        party_id=tariff.party_id,
        currency=tariff.currency,
        document=tariff.model_dump(mode="json", exclude_none=True),
    )


def tariff_to_wire(record: TariffRecord) -> Tariff:
    """The 2.2.1 Tariff partners see: the stored document with the row's identity and
    `last_updated` (validated by the model)."""
    data: dict[str, Any] = dict(record.document)
    data.update(
        {
            "country_code": record.country_code,
            "party_id": record.party_id,
            "id": record.id,
            "currency": record.currency,
            "last_updated": record.last_updated,
        }
    )
    return Tariff.model_validate(data)
