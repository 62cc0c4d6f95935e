"""A roaming session, the whole way: the simulated eMSP registers with a Token A from
`csms partners invite`, uploads its token, sends START_SESSION; the command reaches the
simulated charger (1.6 and 2.0.1), the session is pushed to the eMSP, STOP_SESSION ends
it, and the CDR, priced with the demo tariff, is pushed too. The eMSP simulator checks
every object it receives against OCPI 2.2.1 and reports the CPO's mistakes."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from simulators.chargepoint import OcppVersion, StopReason
from simulators.demo_data import LOCATION_FILE, TARIFF_FILE
from simulators.emsp import EmspOptions, EmspSimulator
from tests.e2e.chain import Chain, EventRecorder, eventually, running_station, together

pytestmark = pytest.mark.e2e

TOKEN_UID = "E2EROAMING0001"
LOCATION_ID = "DEMO-HAMNEN"
TARIFF_ID = "DEMO-AC"
NEEDED = (("commands", "RECEIVER"), ("tokens", "RECEIVER"), ("sessions", "SENDER"))


async def link_station(chain: Chain, station_id: str, version: str) -> str:
    """Register `station_id` and publish it under the demo location; its EVSE uid."""
    await chain.csms("stations", "add", station_id, "--version", version)
    linked = await chain.csms_json(
        "locations", "link", LOCATION_ID, station_id, "--tariff", TARIFF_ID
    )
    return str(linked["evses"][0]["uid"])


def received(sim: EmspSimulator, module: str, **fields: Any) -> dict[str, Any] | None:
    """An object the CPO pushed to us (sessions, cdrs) with these field values."""
    store = sim.store.sessions if module == "sessions" else sim.store.cdrs
    for obj in list(store.values()):
        if all(obj.get(key) == value for key, value in fields.items()):
            return dict(obj)
    return None


async def remote_charge(
    chain: Chain, sim: EmspSimulator, version: OcppVersion
) -> tuple[dict[str, Any], dict[str, Any]]:
    """START_SESSION → charger → pushed session → STOP_SESSION → pushed CDR."""
    station_id = f"E2E-ROAM-{version}"
    evse_uid = await link_station(chain, station_id, version)
    station = chain.station(station_id, version)
    recorder = station.observer
    assert isinstance(recorder, EventRecorder)
    async with running_station(station):
        start = await sim.start_session(LOCATION_ID, evse_uid, "1", token_uid=TOKEN_UID)
        assert start.accepted, (version, start.response)
        assert (await start.result(40))["result"] == "ACCEPTED", version
        started = await recorder.wait("transaction_started", 20)
        assert started.data["id_tag"] == TOKEN_UID, version
        session = await eventually(
            lambda: received(sim, "sessions", evse_uid=evse_uid, status="ACTIVE"),
            30,
            f"the {version} session pushed as ACTIVE",
        )
        await asyncio.sleep(3)  # some charging: meter values every second
        stop = await sim.stop_session(str(session["id"]))
        assert stop.accepted, (version, stop.response)
        assert (await stop.result(40))["result"] == "ACCEPTED", version
        stopped = await recorder.wait("transaction_stopped", 20)
        assert stopped.data["reason"] == StopReason.REMOTE.value, version
        cdr = await eventually(
            lambda: received(sim, "cdrs", session_id=session["id"]), 40, f"the {version} CDR"
        )
    return session, cdr


def check_cdr(cdr: dict[str, Any], session: dict[str, Any]) -> None:
    """The CDR is the session's, in kWh, and priced with the demo tariff."""
    assert cdr["cdr_token"]["uid"] == TOKEN_UID
    assert cdr["cdr_location"]["id"] == LOCATION_ID
    assert cdr["cdr_location"]["evse_uid"] == session["evse_uid"]
    assert cdr["currency"] == "SEK"
    assert [t["id"] for t in cdr.get("tariffs") or []] == [TARIFF_ID]
    energy = Decimal(str(cdr["total_energy"]))
    assert energy > 0
    # DEMO-AC: SEK 4.00 per session + SEK 3.60 per kWh, excluding VAT (step size 1 Wh).
    expected = Decimal("4.00") + Decimal("3.60") * energy
    assert Decimal(str(cdr["total_cost"]["excl_vat"])) == pytest.approx(
        expected, abs=Decimal("0.01")
    )


async def test_emsp_starts_and_stops_a_session_and_gets_the_cdr(chain: Chain) -> None:
    invitation = await chain.csms_json("partners", "invite", "--name", "E2E eMSP")
    options = EmspOptions(country_code="NL", party_id="E2E", token_uids=(TOKEN_UID,))
    async with EmspSimulator(options) as sim:
        await sim.register(invitation["versions_url"], invitation["token_a"])
        missing = [f"{m} {r.lower()}" for m, r in NEEDED if (m, r) not in sim.party.cpo_endpoints]
        assert missing == [], "the CPO's version details lack these interfaces"
        # Registered first, the eMSP is pushed the tariff and the location as they come.
        await chain.csms("tariffs", "import", str(TARIFF_FILE))
        await chain.csms("locations", "import", str(LOCATION_FILE))
        await eventually(lambda: sim.store.locations, 20, "the location pushed")
        sim.add_token(TOKEN_UID)
        uploaded = await sim.push_token(TOKEN_UID)
        assert uploaded.ok, uploaded.body
        results = await together(
            remote_charge(chain, sim, "1.6"), remote_charge(chain, sim, "2.0.1")
        )
        for session, cdr in results:
            check_cdr(cdr, session)
        problems = list(sim.problems)

    cdrs = await chain.csms_json("cdrs", "list")
    listed = {c["id"]: c for c in cdrs}
    for version, (_session, cdr) in zip(("1.6", "2.0.1"), results, strict=True):
        assert listed[cdr["id"]]["station_id"] == f"E2E-ROAM-{version}"
    # What the eMSP simulator found wrong in what the CPO sent (OCPI 2.2.1): nothing.
    assert problems == [], "\n".join(problems)
