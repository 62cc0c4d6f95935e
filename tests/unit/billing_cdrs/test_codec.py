"""Stored OCPI tariff documents read into the engine's `Tariff`: every example of the spec
gives the same tariff as its hand transcription in `tests/unit/billing/spec_tariffs.py`."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shared.billing import TariffError
from shared.billing.codec import json_decimal, json_number, tariff_from_document
from tests.unit.billing import spec_tariffs

EXAMPLES = Path(__file__).parents[2] / "data" / "ocpi_examples"

PAIRS = {
    "tariff_1_simple_2hour.json": "TARIFF_1",
    "tariff_2_alt_text.json": "TARIFF_2",
    "tariff_3_alt_url.json": "TARIFF_3",
    "tariff_5_free_of_charge.json": "TARIFF_5",
    "tariff_6_025kwh_start_max_price.json": "TARIFF_6",
    "tariff_8_simple_025kwh.json": "TARIFF_8",
    "tariff_9_025kwh_start.json": "TARIFF_9",
    "tariff_10_025kwh_parking_start.json": "TARIFF_10",
    "tariff_11_not_possible_alt_text.json": "TARIFF_11",
    "tariff_12_025kwh_min_price.json": "TARIFF_12",
    "tariff_13_simple_3hour_5parking.json": "TARIFF_13",
    "tariff_14_step_size.json": "TARIFF_14",
    "tariff_15_reservation_5_euro_per_hour.json": "TARIFF_15",
    "tariff_16_reservation_2_euro_fee_5_euro_per_hour.json": "TARIFF_16",
    "tariff_17_reservation_with_expire_fee.json": "TARIFF_17",
    "tariff_18_reservation_with_expire_time.json": "TARIFF_18",
    "tariff_put_example.json": "TARIFF_PUT",
    "tariffrestriction_example_max_power.json": "TARIFF_MAX_POWER",
    "tariffrestriction_example_max_duration.json": "TARIFF_MAX_DURATION",
}


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text())
    return data


@pytest.mark.parametrize(("file", "constant"), sorted(PAIRS.items()))
def test_spec_examples_read_as_transcribed(file: str, constant: str) -> None:
    expected = getattr(spec_tariffs, constant, None)
    if expected is None:
        pytest.fail(f"spec_tariffs has no {constant}")
    assert tariff_from_document(_load(file)) == expected


def test_every_tariff_example_of_the_spec_reads() -> None:
    files = sorted(EXAMPLES.glob("tariff_*.json"))
    assert len(files) >= 15
    for file in files:
        document = json.loads(file.read_text())
        tariff = tariff_from_document(document)
        assert tariff.id == document["id"]
        assert tariff.elements


def test_row_columns_win_over_the_document() -> None:
    document = _load("tariff_8_simple_025kwh.json")
    tariff = tariff_from_document(document, tariff_id="OTHER", currency="SEK")
    assert (tariff.id, tariff.currency) == ("OTHER", "SEK")


def test_json_numbers_become_exact_decimals() -> None:
    assert json_decimal(0.1, "x") == Decimal("0.1")
    assert json_decimal(3, "x") == Decimal(3)
    assert json_decimal("2.50", "x") == Decimal("2.50")
    assert json_number(Decimal("6.42")) == 6.42
    assert json.dumps(json_number(Decimal("6.42"))) == "6.42"
    assert json_number(Decimal("7.00")) == 7
    assert isinstance(json_number(Decimal("7.00")), int)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"elements": "x"}, "elements must be a list"),
        (
            {"elements": [{"price_components": [{"type": "WATER", "price": 1}]}]},
            "unknown dimension",
        ),
        (
            {"elements": [{"price_components": [{"type": "ENERGY", "price": "abc"}]}]},
            "must be a number",
        ),
        ({"elements": [{"price_components": [{"type": "ENERGY", "price": True}]}]}, "boolean"),
        (
            {
                "elements": [
                    {
                        "price_components": [{"type": "ENERGY", "price": 1}],
                        "restrictions": {"start_time": "25:99"},
                    }
                ]
            },
            "time of day",
        ),
        (
            {
                "elements": [
                    {
                        "price_components": [{"type": "ENERGY", "price": 1}],
                        "restrictions": {"day_of_week": ["FUNDAY"]},
                    }
                ]
            },
            "FUNDAY",
        ),
        (
            {
                "elements": [
                    {"price_components": [{"type": "ENERGY", "price": 1, "step_size": 1.5}]}
                ]
            },
            "whole number",
        ),
        ({"type": "CHEAPEST"}, "unknown tariff type"),
        ({"start_date_time": "yesterday"}, "RFC 3339"),
    ],
)
def test_unusable_documents_raise_tariff_error(change: dict[str, Any], message: str) -> None:
    document = _load("tariff_8_simple_025kwh.json") | change
    with pytest.raises(TariffError, match=message):
        tariff_from_document(document)


def test_a_date_time_without_zone_is_utc() -> None:
    document = _load("tariff_8_simple_025kwh.json") | {"start_date_time": "2025-01-01T00:00:00"}
    tariff = tariff_from_document(document)
    assert tariff.start_date_time is not None
    assert tariff.start_date_time.utcoffset() is not None
    assert tariff.start_date_time.isoformat() == "2025-01-01T00:00:00+00:00"
