"""The CDR record as issued: OCPI CDR field names, sealed site and token, credits."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ocpi_gateway.v221.models.cdrs import CDR
from shared.billing import UsageSample, UsageState, price_session
from shared.billing.cdrs import (
    CdrIssuer,
    CreditOfCreditError,
    auth_method,
    build_cdr,
    cdr_id_for,
    cdr_location,
    cdr_token,
    credit_record,
    free_tariff,
    rfc3339,
    truncate,
)
from shared.billing.codec import tariff_from_document
from shared.billing.snapshot import take_snapshot
from shared.billing.usage import SessionUsage
from shared.store.billing import SessionRecord, StoredTariff
from shared.store.billing_context import SiteRecord, TokenRecord
from tests.unit.billing.spec_tariffs import TARIFF_10

SCHEMA = json.loads((Path(__file__).parents[2] / "data" / "ocpi-2.2.1.schema.json").read_text())
T0 = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
ISSUER = CdrIssuer("SE", "LDP", "SEK")

SESSION = SessionRecord(
    id=4711,
    station_id="CP-9",
    evse_id=2,
    connector_id=1,
    transaction_ref="4711",
    status="completed",
    started_at=T0,
    ended_at=T0 + timedelta(hours=1),
    id_token="04A1B2C3D4",
    id_token_type="ISO14443",
    partner_id=None,
    authorization_reference=None,
    command_id=None,
    remote_start_id=None,
    meter_start_wh=0.0,
    meter_stop_wh=10_000.0,
    energy_wh=10_000.0,
    stop_reason="Local",
    tariff_id="18",
    currency="EUR",
    cost_excl_vat=None,
    cost_incl_vat=None,
)
SITE = SiteRecord(
    location={
        "id": "LOC-9",
        "name": "Garage",
        "address": "Wilhelminakade 91 Building B, Floor 3 Section West",
        "city": "Rotterdam",
        "postal_code": "3072 AP",
        "state": "Zuid-Holland Provincial Region",
        "country": "NLD",
        "latitude": "51.904030",
        "longitude": "4.488850",
        "time_zone": "Europe/Amsterdam",
    },
    evse_uid="EVSE-9-2",
    ocpi_evse_id="NL*LDP*E9*2",
    standard="IEC_62196_T2_COMBO",
    format="CABLE",
    power_type="DC",
    meter_id="MTR-77",
)


def _usage() -> SessionUsage:
    samples = (
        UsageSample(T0, Decimal(0), UsageState.CHARGING),
        UsageSample(T0 + timedelta(minutes=40), Decimal(10_000), UsageState.PARKED),
    )
    return SessionUsage(T0, T0 + timedelta(hours=1), "Europe/Amsterdam", samples)


def _stored(tariff_document: dict[str, Any]) -> StoredTariff:
    return StoredTariff(
        id=tariff_document["id"],
        country_code="SE",
        party_id="LDP",
        currency="EUR",
        document=tariff_document,
        tariff=tariff_from_document(tariff_document),
        last_updated=T0 - timedelta(days=3),
    )


TARIFF_DOC = json.loads(
    (
        Path(__file__).parents[2] / "data" / "ocpi_examples" / "tariff_10_025kwh_parking_start.json"
    ).read_text()
)


def _cdr(**changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "cdr_id": cdr_id_for(SESSION),
        "issuer": ISSUER,
        "session": SESSION,
        "priced": price_session(TARIFF_10, _usage()),
        "snapshot": take_snapshot(_stored(TARIFF_DOC), SITE, SESSION),
        "meter_id": SITE.meter_id,
        "token": None,
        "issued_at": T0 + timedelta(hours=1, seconds=5),
    }
    return build_cdr(**(arguments | changes))


def _check_against_schema(record: dict[str, Any], type_name: str = "mod_cdrs_cdr_object") -> None:
    """The record against the spec's table of the object (tests/data, read from the spec):
    only its fields, every required one, strings within their lengths, enums in range."""
    spec = SCHEMA["types"][type_name]
    fields = {field["name"]: field for field in spec["fields"]}
    assert set(record) <= set(fields), f"{type_name}: unknown {set(record) - set(fields)}"
    required = {name for name, field in fields.items() if field["card"] in ("1", "+")}
    assert required <= set(record), f"{type_name}: missing {required - set(record)}"
    for name, value in record.items():
        kind = fields[name]["type"]
        values = value if fields[name]["card"] in ("*", "+") else [value]
        for item in values:
            if "maxlen" in kind and kind["prim"] != "DateTime":
                assert isinstance(item, str), (type_name, name, item)
                assert len(item) <= kind["maxlen"], (type_name, name, item)
            ref = SCHEMA["types"].get(kind.get("ref", ""), {})
            if ref.get("kind") == "enum":
                assert item in ref["values"], (type_name, name, item)
            elif "fields" in ref and kind["ref"] != "mod_tariffs_tariff_object":
                _check_against_schema(item, kind["ref"])


def test_a_priced_session_becomes_an_ocpi_shaped_cdr() -> None:
    record = _cdr()
    # tariff 10: FLAT 0.50 (20 %), ENERGY 0.25/kWh (10 %), PARKING 2.00/h (20 %, 900 s).
    # 10 kWh = 2.50; parked 20 min → 30 min (step 900 s) = 1.00; flat 0.50: excl 4.00;
    # incl 0.60 + 2.75 + 1.20 = 4.55.
    assert record["total_cost"] == {"excl_vat": 4, "incl_vat": 4.55}
    assert record["total_parking_cost"] == {"excl_vat": 1, "incl_vat": 1.2}
    assert record["total_energy"] == 10
    assert record["total_time"] == 1
    assert record["total_parking_time"] == 0.3333
    assert record["currency"] == "EUR"
    assert record["credit"] is False
    assert record["id"] == "20250602-4711"
    assert record["session_id"] == "4711"
    assert record["start_date_time"] == "2025-06-02T08:00:00Z"
    assert record["last_updated"] == "2025-06-02T09:00:05Z"
    assert record["meter_id"] == "MTR-77"
    assert record["remark"] == "Stop reason: Local"
    assert record["tariffs"][0]["id"] == "18"
    assert record["tariffs"][0]["last_updated"] == "2025-05-30T08:00:00Z"
    assert [p["tariff_id"] for p in record["charging_periods"]] == ["18", "18"]
    assert "authorization_reference" not in record  # absent, not null
    json.dumps(record)  # plain JSON through and through
    _check_against_schema(record)
    CDR.model_validate(record)  # what the OCPI gateway serves, 1:1


def test_cdr_location_respects_its_shorter_limits() -> None:
    location = cdr_location(SITE, SESSION)
    assert location is not None
    assert location["address"] == "Wilhelminakade 91 Building B, Floor 3"  # cut at a word
    assert location["state"] == "Zuid-Holland"
    assert len(location["address"]) <= 45
    assert len(location["state"]) <= 20
    assert (location["evse_uid"], location["evse_id"], location["connector_id"]) == (
        "EVSE-9-2",
        "NL*LDP*E9*2",
        "1",
    )
    assert (
        location["connector_standard"],
        location["connector_format"],
        location["connector_power_type"],
    ) == (
        "IEC_62196_T2_COMBO",
        "CABLE",
        "DC",
    )


def test_a_station_without_location_gives_no_cdr_location() -> None:
    assert cdr_location(replace(SITE, location=None), SESSION) is None
    unplaced = take_snapshot(_stored(TARIFF_DOC), replace(SITE, location=None), SESSION)
    assert "cdr_location" not in _cdr(snapshot=unplaced)


def test_truncate() -> None:
    assert truncate("short", 10) == "short"
    assert truncate("a" * 50, 45) == "a" * 45  # no word boundary: a hard cut
    assert truncate("Somewhere Street 1, Building", 20) == "Somewhere Street 1"
    assert truncate(None, 3) is None


@pytest.mark.parametrize(
    ("token_type", "expected"),
    [
        ("ISO14443", "RFID"),
        ("ISO15693", "RFID"),
        ("Central", "APP_USER"),
        ("eMAID", "OTHER"),
        ("APP_USER", "APP_USER"),
        (None, "RFID"),
        ("KeyCode", "OTHER"),
    ],
)
def test_token_types(token_type: str | None, expected: str) -> None:
    token = cdr_token(None, replace(SESSION, id_token_type=token_type), ISSUER)
    assert token["type"] == expected


def test_a_partners_token_names_the_partner_and_its_contract() -> None:
    token = TokenRecord(
        uid="012345678",
        type="RFID",
        contract_id="NL-ACME-C12345678-X",
        issuer_country_code="NL",
        issuer_party_id="ACM",
    )
    assert cdr_token(token, SESSION, ISSUER) == {
        "country_code": "NL",
        "party_id": "ACM",
        "uid": "012345678",
        "type": "RFID",
        "contract_id": "NL-ACME-C12345678-X",
    }
    own = cdr_token(None, replace(SESSION, id_token="X" * 40), ISSUER)
    assert (own["country_code"], own["party_id"], len(own["uid"])) == ("SE", "LDP", 36)


def test_auth_methods() -> None:
    assert auth_method(SESSION) == "WHITELIST"
    assert auth_method(replace(SESSION, command_id="c-1")) == "COMMAND"
    assert auth_method(replace(SESSION, remote_start_id=7)) == "COMMAND"
    assert (
        auth_method(replace(SESSION, partner_id=3, authorization_reference="ref")) == "AUTH_REQUEST"
    )
    assert auth_method(replace(SESSION, partner_id=3)) == "WHITELIST"


def test_a_free_session_has_zero_cost_and_names_no_tariff() -> None:
    priced = price_session(free_tariff("SEK"), _usage())
    record = _cdr(snapshot=take_snapshot(None, SITE, SESSION), priced=priced)
    assert record["total_cost"] == {"excl_vat": 0, "incl_vat": 0}
    assert record["currency"] == "SEK"
    assert "tariffs" not in record
    assert "total_energy_cost" not in record
    assert all("tariff_id" not in p for p in record["charging_periods"])
    assert record["total_energy"] == 10
    assert record["total_parking_time"] == 0.3333
    _check_against_schema(record)


def test_a_credit_copies_everything_but_negates_the_total_cost() -> None:
    original = _cdr()
    credit = credit_record(original, "wrong tariff", T0 + timedelta(days=2))
    assert credit["id"] == original["id"] + "-C"
    assert len(credit["id"]) <= 39
    assert credit["credit"] is True
    assert credit["credit_reference_id"] == original["id"]
    assert credit["total_cost"] == {"excl_vat": -4, "incl_vat": -4.55}
    assert credit["total_energy_cost"] == original["total_energy_cost"]  # only total_cost
    assert credit["charging_periods"] == original["charging_periods"]
    assert credit["last_updated"] == "2025-06-04T08:00:00Z"
    assert credit["remark"] == "Credit: wrong tariff"
    _check_against_schema(credit)
    CDR.model_validate(credit)
    with pytest.raises(CreditOfCreditError):
        credit_record(credit, "again", T0)


def test_ids_and_times() -> None:
    assert len(cdr_id_for(replace(SESSION, id=2**31 - 1))) <= 36
    assert (
        rfc3339(datetime(2025, 1, 1, 12, 0, 0, 250_000, tzinfo=UTC)) == "2025-01-01T12:00:00.250Z"
    )
