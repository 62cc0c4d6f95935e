"""A charge from authorization to stop, through a real `csms serve`, on each OCPP version:
the simulated station authorizes a card, starts, sends meter values every second and
stops; `csms sessions list` shows the completed session with the station's energy, and
the database holds every meter reading the station sent, once."""

from __future__ import annotations

import pytest

from simulators.chargepoint import OcppVersion, StopReason
from tests.e2e.chain import (
    Chain,
    EventRecorder,
    SentLog,
    compare_readings,
    eventually,
    running_station,
    together,
)
from tests.e2e.stored import (
    completed_session,
    incoming_actions,
    stored_energy,
    stored_transaction,
)

pytestmark = pytest.mark.e2e

TAG = "04E2E0CHARGE01"


async def charge(chain: Chain, version: OcppVersion) -> None:
    """One charge at a fresh station of `version`, checked end to end."""
    station_id = f"E2E-CHARGE-{version}"
    station = chain.station(station_id, version, id_tags=(TAG,))
    sent = SentLog(station)
    recorder = station.observer
    assert isinstance(recorder, EventRecorder)
    async with running_station(station):
        assert station.charging.start_session(1, id_tag=TAG, duration=3, ending=StopReason.LOCAL)
        stopped = await recorder.wait("transaction_stopped", 30)
        await eventually(lambda: len(station.outbox) == 0, 20, "every message answered")
    started = next(e for e in recorder.events if e.kind == "transaction_started")
    assert started.data["id_tag"] == TAG

    session = await completed_session(chain, station_id)
    assert session["id_tag"] == TAG, version
    assert session["transaction_id"] == stopped.data["transaction_id"], version
    assert session["start"] < session["end"], version
    # The station's own count of the energy, to the Wh it reports (1.6 sends integers).
    assert session["energy_wh"] == pytest.approx(stopped.data["energy_wh"], abs=1.0), version
    assert session["energy_wh"] > 0, version

    row = await stored_transaction(chain, station_id, str(stopped.data["transaction_id"]))
    assert (row.status, row.stop_reason) == ("completed", "Local"), version
    assert len(set(sent.energy_samples())) >= 3, version  # samples every second, the end
    problems = compare_readings(await stored_energy(chain, row.id), sent.energy_samples())
    assert problems == {"missing": [], "doubled": [], "unexpected": []}, version

    actions = await incoming_actions(chain, station_id)
    start_action = "StartTransaction" if version == "1.6" else "TransactionEvent"
    assert "Authorize" in actions, version
    assert actions.index("Authorize") < actions.index(start_action), version


async def test_charge_from_authorize_to_stop_with_meter_values(chain: Chain) -> None:
    await chain.csms("tokens", "add", TAG)
    # Both versions at once: the same checks, half the wall time.
    await together(charge(chain, "1.6"), charge(chain, "2.0.1"))
