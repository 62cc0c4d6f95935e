"""What the simulator sends: pulls, token uploads, commands, charging profiles, and its
own tokens Sender interface with real-time authorization."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from simulators.emsp import EmspSimulator

from .examples import example
from .fake_cpo import FakeCpo


def _locations(count: int) -> list[dict[str, object]]:
    base = datetime(2024, 5, 1, tzinfo=UTC)
    return [
        example(
            "location_example",
            id=f"LOC{n}",
            last_updated=(base + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        for n in range(count)
    ]


async def test_pull_follows_links_page_by_page(cpo: FakeCpo, registered: EmspSimulator) -> None:
    cpo.objects["locations"] = _locations(7)
    result = await registered.pull("locations")
    assert [o["id"] for o in result.objects] == [f"LOC{n}" for n in range(7)]
    assert result.pages == 3
    assert result.totals == [7, 7, 7]
    windowed = await registered.pull(
        "locations",
        date_from=datetime(2024, 5, 1, 0, 2, tzinfo=UTC),
        date_to=datetime(2024, 5, 1, 0, 6, tzinfo=UTC),
    )
    assert [o["id"] for o in windowed.objects] == ["LOC2", "LOC3", "LOC4", "LOC5"]
    assert windowed.pages == 2
    assert registered.problems == []
    # The next page link always carries the filters.
    second = [s for s in cpo.received if s.path.endswith("/locations")][-1]
    assert second.query["date_from"] == "2024-05-01T00:02:00Z"


async def test_pull_reports_a_link_that_drops_filters(
    cpo: FakeCpo, registered: EmspSimulator
) -> None:
    cpo.objects["locations"] = _locations(7)
    cpo.drop_filters_in_link = True
    result = await registered.pull("locations", date_from=datetime(2024, 5, 1, tzinfo=UTC))
    assert "the next link drops the filter date_from" in "\n".join(result.problems)
    assert registered.problems


async def test_push_and_patch_token(cpo: FakeCpo, registered: EmspSimulator) -> None:
    token = registered.add_token("04A1B2C3D4E5F6", whitelist="ALLOWED")
    answer = await registered.push_token("04A1B2C3D4E5F6")
    assert answer.http_status == 201
    assert cpo.tokens[("NL", "SIM", "04A1B2C3D4E5F6", "RFID")] == token
    answer = await registered.patch_token("04A1B2C3D4E5F6", {"valid": False})
    assert answer.ok
    assert cpo.tokens[("NL", "SIM", "04A1B2C3D4E5F6", "RFID")]["valid"] is False
    put = next(s for s in cpo.received if s.method == "PUT")
    assert put.headers["OCPI-to-party-id"] == "CPO"
    assert put.headers["OCPI-from-country-code"] == "NL"
    assert registered.problems == []


async def test_our_tokens_sender_and_authorize(cpo: FakeCpo, registered: EmspSimulator) -> None:
    for n in range(5):
        registered.add_token(f"TOKEN{n}")
    registered.add_token("BLOCKED1", allowed="BLOCKED")
    registered.add_token("NEEDSLOC", needs_location=True, whitelist="NEVER")
    status, answer, headers = await cpo.push("GET", "tokens", headers={}, body=None)
    assert status == 200
    assert headers["X-Total-Count"] == "7"
    status, answer, headers = await cpo.push("GET", "tokens", query={"limit": "3"})
    assert len(answer["data"]) == 3
    assert "offset=3" in headers["Link"]

    status, answer, _ = await cpo.push("POST", "tokens", "TOKEN1/authorize")
    assert answer["data"]["allowed"] == "ALLOWED"
    assert answer["data"]["token"]["uid"] == "TOKEN1"
    _, answer, _ = await cpo.push("POST", "tokens", "BLOCKED1/authorize")
    assert answer["data"]["allowed"] == "BLOCKED"
    status, answer, _ = await cpo.push("POST", "tokens", "NOPE/authorize")
    assert (status, answer["status_code"]) == (404, 2004)
    _, answer, _ = await cpo.push("POST", "tokens", "NEEDSLOC/authorize")
    assert answer["status_code"] == 2002
    _, answer, _ = await cpo.push(
        "POST", "tokens", "NEEDSLOC/authorize", {"location_id": "LOC1", "evse_uids": ["E1"]}
    )
    assert answer["data"]["location"] == {"location_id": "LOC1", "evse_uids": ["E1"]}
    assert registered.problems == []


async def test_commands_get_their_results(cpo: FakeCpo, registered: EmspSimulator) -> None:
    start = await registered.start_session("LOC1", "3256", "1", token_uid="04A1B2C3")
    assert start.response == {"result": "ACCEPTED", "timeout": 30}
    assert (await start.result(within=5))["result"] == "ACCEPTED"
    sent = next(s for s in cpo.received if s.path.endswith("/commands/START_SESSION"))
    assert sent.body["token"]["uid"] == "04A1B2C3"
    assert sent.body["response_url"] == start.response_url

    cpo.command_result = "EVSE_OCCUPIED"
    reserve = await registered.reserve_now(
        "LOC1", "R1", datetime.now(UTC) + timedelta(minutes=15), "3256"
    )
    assert (await reserve.result(within=5))["result"] == "EVSE_OCCUPIED"
    for pending in (
        await registered.stop_session("S1"),
        await registered.cancel_reservation("R1"),
        await registered.unlock_connector("LOC1", "3256", "1"),
    ):
        assert (await pending.result(within=5))["result"] == "EVSE_OCCUPIED"
    assert registered.problems == []


async def test_charging_profiles(cpo: FakeCpo, registered: EmspSimulator) -> None:
    put = await registered.set_charging_profile("S1", limit=11000.0)
    assert (await put.result(within=5)) == {"result": "ACCEPTED"}
    get = await registered.get_active_charging_profile("S1", duration=600)
    active = await get.result(within=5)
    assert active["profile"]["charging_profile"]["charging_rate_unit"] == "W"
    query = next(s for s in cpo.received if s.method == "GET" and "chargingprofiles" in s.path)
    assert query.query["duration"] == "600"
    clear = await registered.clear_charging_profile("S1")
    assert (await clear.result(within=5)) == {"result": "ACCEPTED"}
    # The CPO's update of the active profile, for a session we set one on: fine.
    profile = {
        "start_date_time": "2024-05-01T00:00:00Z",
        "charging_profile": {"charging_rate_unit": "A"},
    }
    status, _, _ = await cpo.push("PUT", "chargingprofiles", "S1", profile)
    assert status == 200
    assert registered.problems == []
    # ... but not for a session we never set one on.
    await cpo.push("PUT", "chargingprofiles", "S2", profile)
    assert "never set" in registered.problems[0]
