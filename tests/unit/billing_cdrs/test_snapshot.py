"""The billing snapshot: what a session keeps from its start, stored as JSON and read back."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from shared.billing.snapshot import (
    BillingSnapshot,
    SnapshotError,
    stored_snapshot,
    take_snapshot,
)
from tests.unit.billing_cdrs.test_cdr_record import SESSION, SITE, TARIFF_DOC, _cdr, _stored


def _round_trip(snapshot: BillingSnapshot) -> BillingSnapshot:
    return BillingSnapshot.from_json(json.loads(json.dumps(snapshot.to_json())))


def test_a_snapshot_survives_json_as_it_was_taken() -> None:
    taken = take_snapshot(_stored(TARIFF_DOC), SITE, SESSION)
    assert taken.to_json()["tariff"]["last_updated"] == "2025-05-30T08:00:00Z"
    assert taken.to_json()["cdr_location"]["address"] == "Wilhelminakade 91 Building B, Floor 3"
    assert taken.to_json()["time_zone"] == "Europe/Amsterdam"
    read = _round_trip(taken)
    assert read == taken
    assert read.tariff is not None
    assert read.tariff.tariff == _stored(TARIFF_DOC).tariff  # priced exactly alike
    assert (read.tariff.id, read.tariff.currency) == ("18", "EUR")
    free = _round_trip(take_snapshot(None, replace(SITE, location=None), SESSION))
    assert free == BillingSnapshot(None, None, "UTC")


def test_the_cdr_records_the_snapshot_not_the_site_as_it_is_now() -> None:
    snapshot = _round_trip(take_snapshot(_stored(TARIFF_DOC), SITE, SESSION))
    # The location and the tariff document are edited after the start: the CDR built from
    # the snapshot does not see it.
    assert SITE.location is not None
    moved = replace(SITE, location=dict(SITE.location) | {"address": "Elsewhere 1"})
    edited = dict(TARIFF_DOC) | {"min_price": {"excl_vat": 9, "incl_vat": 10}}
    assert take_snapshot(_stored(edited), moved, SESSION) != snapshot
    record = _cdr(snapshot=snapshot)
    assert record["cdr_location"] == snapshot.cdr_location
    assert record["cdr_location"]["address"] == "Wilhelminakade 91 Building B, Floor 3"
    assert record["tariffs"] == [dict(TARIFF_DOC) | _identity()]


def _identity() -> dict[str, Any]:
    return {
        "country_code": "SE",
        "party_id": "LDP",
        "id": "18",
        "currency": "EUR",
        "last_updated": "2025-05-30T08:00:00Z",
    }


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "must be an object"),
        ({"tariff": None, "cdr_location": None, "time_zone": "Mars/Olympus"}, "time zone"),
        ({"tariff": None, "cdr_location": None}, "time zone"),
        ({"tariff": {"id": "X", "currency": "EUR", "elements": 3}, "time_zone": "UTC"}, "list"),
        ({"tariff": "X", "time_zone": "UTC"}, "tariff must be an object"),
        ({"tariff": None, "cdr_location": [1], "time_zone": "UTC"}, "cdr_location"),
    ],
)
def test_an_unreadable_snapshot_is_an_error(document: object, message: str) -> None:
    with pytest.raises(SnapshotError, match=message):
        BillingSnapshot.from_json(document)


def test_a_session_without_a_usable_snapshot_has_none() -> None:
    assert stored_snapshot(SESSION) is None
    assert stored_snapshot(replace(SESSION, billing_snapshot={"time_zone": "Nowhere/Else"})) is None
    taken = take_snapshot(_stored(TARIFF_DOC), SITE, SESSION)
    assert stored_snapshot(replace(SESSION, billing_snapshot=taken.to_json())) == taken
