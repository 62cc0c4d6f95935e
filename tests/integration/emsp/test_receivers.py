"""The simulator's Receiver interfaces: what it stores from the CPO's pushes, and the
mistakes of the CPO it reports."""

from __future__ import annotations

from simulators.emsp import EmspSimulator

from .examples import example
from .fake_cpo import FakeCpo


async def test_location_put_and_evse_patch_bump_parents(
    cpo: FakeCpo, registered: EmspSimulator
) -> None:
    status, answer, _ = await cpo.push(
        "PUT", "locations", "SE/CPO/LOC1", example("location_example")
    )
    assert (status, answer["status_code"]) == (201, 1000)
    patch = {"status": "CHARGING", "last_updated": "2024-01-02T03:04:05Z"}
    status, answer, headers = await cpo.push("PATCH", "locations", "SE/CPO/LOC1/3256", patch)
    assert (status, answer["status_code"]) == (200, 1000)
    assert "data" not in answer  # transport_and_format: leave data out when none is defined
    assert headers["OCPI-to-party-id"] == "CPO"

    location = registered.store.location("LOC1")
    assert location is not None
    assert registered.evse_status("3256") == "CHARGING"
    # mod_locations, *PATCH*: the parent Location takes the EVSE's last_updated.
    assert location["last_updated"] == "2024-01-02T03:04:05Z"
    connector = {**location["evses"][0]["connectors"][0], "max_amperage": 32}
    connector["last_updated"] = "2024-01-02T03:05:00Z"
    status, _, _ = await cpo.push("PUT", "locations", "SE/CPO/LOC1/3256/1", connector)
    assert status == 200
    assert location["evses"][0]["last_updated"] == "2024-01-02T03:05:00Z"
    status, answer, _ = await cpo.push("GET", "locations", "SE/CPO/LOC1/3256/1")
    assert answer["data"]["max_amperage"] == 32
    assert registered.problems == []


async def test_session_put_patch_append_and_replace(
    cpo: FakeCpo, registered: EmspSimulator
) -> None:
    session = example("session_example_1_simple_start")
    await cpo.push("PUT", "sessions", "SE/CPO/101", session)
    patch = example("session_patch_example_charging_period", last_updated="2020-03-09T10:20:00Z")
    await cpo.push("PATCH", "sessions", "SE/CPO/101", patch)
    await cpo.push(
        "PATCH", "sessions", "SE/CPO/101", {**patch, "last_updated": "2020-03-09T10:21:00Z"}
    )
    stored = registered.store.session("101")
    assert stored is not None
    assert len(stored["charging_periods"]) == 2  # mod_sessions, *PATCH*: appended
    assert stored["kwh"] == 15
    # A PUT replaces the periods (here: none).
    await cpo.push(
        "PUT", "sessions", "SE/CPO/101", {**session, "last_updated": "2020-03-09T10:30:00Z"}
    )
    assert "charging_periods" not in registered.store.session("101")  # type: ignore[operator]
    assert registered.problems == []


async def test_cdr_post_answers_a_location_that_can_be_fetched(
    cpo: FakeCpo, registered: EmspSimulator
) -> None:
    status, answer, headers = await cpo.push("POST", "cdrs", body=example("cdr_example"))
    assert (status, answer["status_code"]) == (201, 1000)
    status, answer = await cpo.fetch(headers["Location"], cpo.emsp_token or "", routing=True)
    assert status == 200
    assert answer["data"]["id"] == example("cdr_example")["id"]
    assert registered.problems == []


async def test_tariff_put_then_delete(cpo: FakeCpo, registered: EmspSimulator) -> None:
    tariff = example("tariff_1_simple_2hour")
    status, _, _ = await cpo.push("PUT", "tariffs", f"SE/CPO/{tariff['id']}", tariff)
    assert status == 201
    assert len(registered.store.tariffs) == 1
    status, _, _ = await cpo.push("DELETE", "tariffs", f"SE/CPO/{tariff['id']}")
    assert status == 200
    assert registered.store.tariffs == {}
    assert registered.problems == []


async def test_mistakes_are_reported(cpo: FakeCpo, registered: EmspSimulator) -> None:
    session = example("session_example_1_simple_start")
    # PATCH before PUT.
    status, answer, _ = await cpo.push(
        "PATCH", "sessions", "SE/CPO/101", {"kwh": 1, "last_updated": "2020-03-09T10:17:10Z"}
    )
    assert (status, answer["status_code"]) == (404, 2001)
    await cpo.push("PUT", "sessions", "SE/CPO/101", session)
    # PATCH without last_updated, a float artefact, a +02:00 time, a too-long string.
    _, answer, _ = await cpo.push("PATCH", "sessions", "SE/CPO/101", {"kwh": 2})
    assert answer["status_code"] == 2001
    _, answer, _ = await cpo.push(
        "PATCH",
        "sessions",
        "SE/CPO/101",
        {"kwh": 1.2300000000000002, "last_updated": "2020-03-09T10:18:00Z"},
    )
    assert answer["status_code"] == 1000  # too many decimals: reported, yet usable
    await cpo.push("PATCH", "sessions", "SE/CPO/101", {"last_updated": "2020-03-09T12:18:00+02:00"})
    await cpo.push("PUT", "sessions", "SE/CPO/101", {**session, "meter_id": "x" * 256})
    # An older update after a newer one is out of order, and ignored.
    await cpo.push(
        "PATCH",
        "sessions",
        "SE/CPO/101",
        {"status": "ACTIVE", "last_updated": "2020-03-09T10:19:00Z"},
    )
    await cpo.push(
        "PATCH",
        "sessions",
        "SE/CPO/101",
        {"status": "INVALID", "last_updated": "2020-03-09T10:18:30Z"},
    )
    # Missing message ids and routing headers; a raw token; a URL party not the CPO's.
    await cpo.push(
        "PUT",
        "tariffs",
        "SE/CPO/T1",
        example("tariff_1_simple_2hour", id="T1"),
        headers={"X-Request-ID": "", "OCPI-to-party-id": ""},
    )
    await cpo.push(
        "GET", "tariffs", "SE/CPO/T1", headers={"Authorization": f"Token {cpo.emsp_token}"}
    )
    await cpo.push("PUT", "tariffs", "DE/XXX/T2", example("tariff_1_simple_2hour", id="T2"))
    # The same CDR twice.
    await cpo.push("POST", "cdrs", body=example("cdr_example"))
    await cpo.push("POST", "cdrs", body=example("cdr_example"))

    problems = "\n".join(registered.problems)
    for expected in (
        "PATCH before the session was PUT",
        "a PATCH must carry last_updated",
        "more than 4 decimals",
        "not an OCPI DateTime",
        "longer than 255 characters",
        "last_updated older than the stored session",
        "X-Request-ID missing",
        "OCPI-to headers",
        "without Base64",
        "DE*XXX is not one of the CPO's roles",
        "posted 2 times",
    ):
        assert expected in problems, expected
    assert registered.store.session("101")["status"] == "ACTIVE"  # type: ignore[index]


async def test_invalid_json_is_http_400(cpo: FakeCpo, registered: EmspSimulator) -> None:
    status, answer, _ = await cpo.push("PUT", "sessions", "SE/CPO/1", raw=b"{not json")
    assert (status, answer["status_code"]) == (400, 2001)
