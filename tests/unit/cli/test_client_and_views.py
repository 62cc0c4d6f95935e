"""Pure parts of the CLI and the operator API: URLs, access rules, JSON views, output."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from aiohttp.test_utils import make_mocked_request

from cli.admin_api.app import _check_access
from cli.admin_api.errors import ForbiddenError, UnauthorizedError
from cli.client import _describe, admin_base_url, segment
from cli.output import human_time, status_text
from cli.provisioning import StationProvisioning
from cli.views import rfc3339, session_json, station_json
from shared.domain.stations import Connector, ConnectorStatus, Evse, RegistrationStatus, Station
from shared.store.queries import SessionSummary


@pytest.mark.parametrize(
    ("server", "host", "port", "expected"),
    [
        (None, "127.0.0.1", 8080, "http://127.0.0.1:8080/admin"),
        (None, "0.0.0.0", 8080, "http://127.0.0.1:8080/admin"),
        (None, "::", 9, "http://[::1]:9/admin"),
        (None, "::1", 9, "http://[::1]:9/admin"),
        ("http://10.0.0.5:8080", "", 0, "http://10.0.0.5:8080/admin"),
        ("http://10.0.0.5:8080/admin/", "", 0, "http://10.0.0.5:8080/admin"),
        ("127.0.0.1:8081", "", 0, "http://127.0.0.1:8081/admin"),
        ("https://csms.example/", "", 0, "https://csms.example/admin"),
    ],
)
def test_admin_base_url(server: str | None, host: str, port: int, expected: str) -> None:
    assert admin_base_url(server, host, port) == expected


def test_segment_quotes_everything_that_is_not_plain() -> None:
    assert segment("CP 1/#?") == "CP%201%2F%23%3F"
    assert segment(42) == "42"


def test_error_details_read_as_one_line() -> None:
    assert _describe("plain") == "plain"
    assert _describe([{"field": "version", "message": "bad"}, {"field": "", "message": "x"}]) == (
        "version: bad; x"
    )
    assert _describe(None) == ""


class _Transport:
    def __init__(self, peer: tuple[str, int]) -> None:
        self.peer = peer

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.peer if name == "peername" else default


def _request(peer: str, authorization: str | None = None) -> Any:
    headers = {"Authorization": authorization} if authorization is not None else {}
    return make_mocked_request("GET", "/stations", headers=headers, transport=_Transport((peer, 1)))


@pytest.mark.parametrize("peer", ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"])
def test_without_a_token_loopback_is_let_in(peer: str) -> None:
    _check_access(_request(peer), None)


@pytest.mark.parametrize("peer", ["10.0.0.5", "192.168.1.2", "::ffff:10.0.0.5", "fe80::1"])
def test_without_a_token_other_addresses_are_refused(peer: str) -> None:
    with pytest.raises(ForbiddenError, match=r"127\.0\.0\.1"):
        _check_access(_request(peer), None)


def test_with_a_token_the_address_does_not_matter_but_the_token_does() -> None:
    _check_access(_request("10.0.0.5", "Bearer T0KEN"), "T0KEN")
    _check_access(_request("10.0.0.5", "bearer  T0KEN "), "T0KEN")
    for header in (None, "Bearer", "Basic T0KEN", "Bearer t0ken", "Bearer T0KEN2"):
        with pytest.raises(UnauthorizedError):
            _check_access(_request("127.0.0.1", header), "T0KEN")


def test_rfc3339_is_utc_with_z() -> None:
    moment = datetime(2026, 1, 31, 13, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert rfc3339(moment) == "2026-01-31T12:00:00.123Z"
    assert rfc3339(None) is None


def test_station_json_keeps_connector_zero_out_of_the_evses() -> None:
    station = Station(
        id="CP",
        registration_status=RegistrationStatus.ACCEPTED,
        ocpp_version=None,
        version_override="2.0.1",
        evses=(
            Evse(0, ConnectorStatus.UNAVAILABLE, (Connector(0, ConnectorStatus.UNAVAILABLE),)),
            Evse(1, ConnectorStatus.AVAILABLE, (Connector(1, ConnectorStatus.AVAILABLE),)),
        ),
    )
    data = station_json(station)
    assert data["station_status"] == "Unavailable"
    assert [evse["evse_id"] for evse in data["evses"]] == [1]
    assert data["ocpp_version"] == "2.0.1"  # never connected: the version it will be served
    assert data["connected"] is False
    assert data["last_seen"] is None


def test_session_json_has_exactly_the_contract_keys() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    session = SessionSummary(
        id=5,
        transaction_ref="5",
        station_id="CP",
        evse_id=1,
        connector_id=1,
        id_token=None,
        status="active",
        started_at=start,
        ended_at=None,
        energy_wh=0.0,
        meter_start_wh=None,
        meter_stop_wh=None,
        stop_reason=None,
        charging_state=None,
        offline=False,
        cost_excl_vat=None,
        cost_incl_vat=None,
        currency=None,
        tariff_id=None,
        last_updated=start,
    )
    assert session_json(session) == {
        "id": 5,
        "transaction_id": "5",
        "station_id": "CP",
        "evse_id": 1,
        "id_tag": None,
        "start": "2026-01-01T00:00:00.000Z",
        "end": None,
        "energy_wh": 0.0,
        "status": "active",
    }


def test_provisioning_sets_only_what_was_given() -> None:
    assert StationProvisioning().column_values() == {}
    assert StationProvisioning(
        password_hash="h", ping_interval=0, lenient=False, registration=RegistrationStatus.PENDING
    ).column_values() == {
        "password_hash": "h",
        "ping_interval": 0,
        "lenient": False,
        "registration_status": "pending",
    }
    assert StationProvisioning(remove_password=True).column_values() == {"password_hash": None}


def test_status_colours_and_times_for_people() -> None:
    assert status_text("Available") == "[green]Available[/green]"
    assert status_text("Faulted") == "[bold red]Faulted[/bold red]"
    assert status_text("Odd[thing]") == r"Odd\[thing]"
    assert status_text(None) == "[dim]-[/dim]"
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert human_time("2026-01-01T11:55:00.000Z", now) == (
        "2026-01-01 11:55:00Z [dim](5m ago)[/dim]"
    )
    assert human_time(None) == "[dim]-[/dim]"
