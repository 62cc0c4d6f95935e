"""Version-neutral mapping rules and the 2.2.1 wire mapping of locations and tariffs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocpi_gateway.mapping.locations import connector_facts, evse_capabilities, evse_status
from ocpi_gateway.v221.mapping.locations import location_to_wire, site_from_wire
from ocpi_gateway.v221.mapping.tariffs import billing_tariff, record_from_wire, tariff_to_wire
from ocpi_gateway.v221.models import Location, Tariff
from shared.billing import TariffError
from shared.domain.locations import LiveConnector, LiveEvse, SiteView
from shared.domain.stations import ConnectorStatus
from shared.store.location_links import emi3_evse_id, evse_uid_for
from tests.unit.ocpi_models._data import EXAMPLES_DIR

NOW = datetime(2024, 1, 1, tzinfo=UTC)


def _evse(status: ConnectorStatus, *, connected: bool = True, removed: bool = False) -> LiveEvse:
    plug = LiveConnector(1, status, None, None, None, None, None, None, (), NOW)
    return LiveEvse("CP", 1, "CP-1", status, connected, removed, (plug,), NOW)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (ConnectorStatus.AVAILABLE, "AVAILABLE"),
        (ConnectorStatus.OCCUPIED, "CHARGING"),
        (ConnectorStatus.RESERVED, "RESERVED"),
        (ConnectorStatus.UNAVAILABLE, "INOPERATIVE"),
        (ConnectorStatus.FAULTED, "OUTOFORDER"),
    ],
)
def test_evse_status(status: ConnectorStatus, expected: str) -> None:
    assert evse_status(_evse(status)) == expected
    assert evse_status(_evse(status, connected=False)) == "UNKNOWN"
    assert evse_status(_evse(status, removed=True)) == "REMOVED"


def test_defaults() -> None:
    facts = connector_facts(_evse(ConnectorStatus.AVAILABLE).connectors[0])
    assert (facts.standard, facts.format, facts.power_type) == (
        "IEC_62196_T2",
        "SOCKET",
        "AC_3_PHASE",
    )
    assert (facts.max_voltage, facts.max_amperage, facts.max_electric_power) == (230, 32, None)
    assert "REMOTE_START_STOP_CAPABLE" in evse_capabilities(_evse(ConnectorStatus.AVAILABLE))


@given(st.text(min_size=1, max_size=255), st.integers(min_value=1, max_value=10**6))
def test_generated_ids_fit_the_spec(station: str, evse: int) -> None:
    uid = evse_uid_for(station, evse)
    assert 0 < len(uid) <= 36
    assert all(" " <= c <= "~" for c in uid)
    assert uid == evse_uid_for(station, evse)  # stable
    published = emi3_evse_id("SE", "LDP", station, evse)
    assert len(published) <= 48
    assert published.startswith("SE*LDP*E")
    assert published.endswith(f"*{evse}")


def test_generated_ids_are_readable_when_they_can_be() -> None:
    assert evse_uid_for("CP-1", 2) == "CP-1-2"
    assert emi3_evse_id("se", "ldp", "cp-1", 2) == "SE*LDP*ECP1*2"
    assert evse_uid_for("a b", 1) != evse_uid_for("ab", 1)  # distinct stations stay distinct


def _example(name: str) -> dict[str, Any]:
    return dict(json.loads((EXAMPLES_DIR / name).read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "name",
    [
        "location_example.json",
        "location_example_parking_garage_opening_hours.json",
        "location_example_uc4_limited_visibility.json",
    ],
)
def test_location_round_trip(name: str) -> None:
    document = _example(name)
    site = site_from_wire(Location.model_validate(document))
    assert site.id == document["id"]
    assert [spec.uid for spec in site.evse_specs] == [e["uid"] for e in document.get("evses", [])]
    assert "evses" not in site.details
    assert "last_updated" not in site.details
    stored = type(site)(
        **{**{f: getattr(site, f) for f in site.__dataclass_fields__}, "last_updated": NOW}
    )
    specs = tuple(
        type(spec)(
            **{**{f: getattr(spec, f) for f in spec.__dataclass_fields__}, "last_updated": NOW}
        )
        for spec in stored.evse_specs
    )
    view = SiteView(stored, (), specs, NOW)
    wire = json.loads(location_to_wire(view).model_dump_json(exclude_none=True))

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "last_updated"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    assert strip(wire) == strip(json.loads(json.dumps(document)))


@pytest.mark.parametrize(
    "name",
    sorted(path.name for path in EXAMPLES_DIR.glob("tariff_*.json") if "put" not in path.name),
)
def test_spec_tariffs_are_accepted_and_served_as_imported(name: str) -> None:
    document = _example(name)
    tariff = Tariff.model_validate(document)
    record = record_from_wire(tariff)
    served = tariff_to_wire(
        type(record)(
            **{**{f: getattr(record, f) for f in record.__dataclass_fields__}, "last_updated": NOW}
        )
    )
    assert served.model_dump(exclude={"last_updated"}) == tariff.model_dump(
        exclude={"last_updated"}
    )


def test_tariff_the_engine_cannot_price_is_refused() -> None:
    document = _example("tariff_12_025kwh_min_price.json")
    document["min_price"] = {"excl_vat": 10, "incl_vat": 11}
    document["max_price"] = {"excl_vat": 5, "incl_vat": 6}
    with pytest.raises(TariffError):
        billing_tariff(Tariff.model_validate(document))
