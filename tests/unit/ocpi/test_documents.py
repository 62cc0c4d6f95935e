"""Rendered documents: the cache's validity and byte budget, and 2.2.1 Location rendering
(the bytes served are the model's JSON; drift is caught in validate mode)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from ocpi_gateway.documents import DocumentCaches
from ocpi_gateway.v221.location_documents import RenderingError, render_location
from ocpi_gateway.v221.mapping.locations import location_to_wire, site_from_wire
from ocpi_gateway.v221.models import Location
from ocpi_gateway.v221.models.serialization import to_json_bytes
from shared.domain.locations import LiveConnector, LiveEvse, Site, SiteView
from shared.domain.stations import ConnectorStatus
from tests.unit.ocpi_models._data import EXAMPLES_DIR

NOW = datetime(2024, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)


def test_a_document_is_served_only_for_its_stamp() -> None:
    cache = DocumentCaches().cache("2.2.1/locations")
    assert cache.get("L1", NOW) is None
    cache.put("L1", NOW, b'{"id":"L1"}')
    assert cache.get("L1", NOW) == b'{"id":"L1"}'
    assert cache.get("L1", NOW + timedelta(microseconds=1)) is None  # changed since
    assert cache.get("L2", NOW) is None
    stats = cache.stats()
    assert (stats.entries, stats.hits, stats.misses) == (1, 1, 3)
    cache.put("L1", NOW + timedelta(seconds=1), b'{"id":"L1","v":2}')
    assert cache.get("L1", NOW) is None
    assert cache.get("L1", NOW + timedelta(seconds=1)) == b'{"id":"L1","v":2}'
    assert cache.stats().entries == 1


def test_caches_are_separate_per_kind_but_share_the_budget() -> None:
    caches = DocumentCaches(max_bytes=1000)
    locations, tariffs = caches.cache("2.2.1/locations"), caches.cache("2.2.1/tariffs")
    assert caches.cache("2.2.1/locations") is locations
    locations.put("A", 1, b"x" * 300)
    tariffs.put("A", 1, b"y" * 300)
    assert locations.get("A", 1) == b"x" * 300
    assert tariffs.get("A", 1) == b"y" * 300
    # Full: a new object is served but not kept ...
    locations.put("B", 1, b"z" * 300)
    assert locations.get("B", 1) is None
    assert caches.size_bytes <= 1000
    # ... while a kept one that changed is replaced in place.
    locations.put("A", 2, b"w" * 200)
    assert locations.get("A", 2) == b"w" * 200
    # A changed object too big for what is left is dropped, freeing its room.
    locations.put("A", 3, b"v" * 900)
    assert locations.get("A", 3) is None
    locations.put("B", 1, b"z" * 300)
    assert locations.get("B", 1) == b"z" * 300
    locations.discard("B")
    assert locations.get("B", 1) is None
    caches.clear()
    assert caches.size_bytes == 0
    assert tariffs.get("A", 1) is None


def _live(station: str, evse_id: int, plugs: int, status: ConnectorStatus) -> LiveEvse:
    connectors = tuple(
        LiveConnector(n, status, None, None, None, None, None, None, ("T1",), NOW)
        for n in range(1, plugs + 1)
    )
    return LiveEvse(station, evse_id, f"{station}-{evse_id}", status, True, False, connectors, NOW)


def _example_site(name: str) -> Site:
    document = json.loads((EXAMPLES_DIR / name).read_text(encoding="utf-8"))
    site = site_from_wire(Location.model_validate(document))
    stamped = {f: getattr(site, f) for f in Site.__dataclass_fields__}
    specs = tuple(
        type(spec)(
            **{**{f: getattr(spec, f) for f in spec.__dataclass_fields__}, "last_updated": NOW}
        )
        for spec in site.evse_specs
    )
    return Site(**{**stamped, "evse_specs": specs, "last_updated": NOW})


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in EXAMPLES_DIR.glob("location_example*.json")),
)
def test_rendering_is_the_models_json(name: str) -> None:
    site = _example_site(name)
    live = (
        _live("CP-1", 1, 2, ConnectorStatus.OCCUPIED),
        _live("CP-1", 2, 1, ConnectorStatus.FAULTED),
    )
    for view in (SiteView(site, (), site.evse_specs, NOW), SiteView(site, live, (), NOW)):
        rendered = render_location(view, validate=True)
        assert rendered is not None
        modelled = to_json_bytes(location_to_wire(view))
        assert orjson.loads(rendered) == orjson.loads(modelled)
        assert orjson.loads(rendered)["last_updated"] == "2024-01-01T12:00:00.123Z"


def _site(**details: Any) -> Site:
    site = _example_site("location_example.json")
    fields = {f: getattr(site, f) for f in Site.__dataclass_fields__}
    return Site(**{**fields, "details": {**site.details, **details}})


def test_validate_mode_catches_drift_from_the_model() -> None:
    # A detail the model does not know would be sent by the plain rendering only.
    view = SiteView(_site(not_in_the_spec=1), (), (), NOW)
    assert render_location(view) is not None
    with pytest.raises(RenderingError, match="not_in_the_spec"):
        render_location(view, validate=True)


def test_what_cannot_be_sent_is_left_out() -> None:
    too_long = SiteView(_site(directions=[{"language": "english", "text": "x"}]), (), (), NOW)
    assert render_location(too_long, validate=True) is None  # language is string(2)
    unserialisable = SiteView(_site(facilities={1, 2}), (), (), NOW)
    assert render_location(unserialisable) is None
