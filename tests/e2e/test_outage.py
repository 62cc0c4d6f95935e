"""A network outage in the middle of a transaction, through a real `csms serve`.

The CSMS's answer to a meter-value message is lost with the link (so the station sends
that message again after reconnecting, as real ones do); the station goes on charging
offline, reconnects with back-off and delivers what it queued. At the end the transaction
is complete and the database holds every reading exactly once: none missing, none
doubled; for 2.0.1 every `seqNo` once, the offline events marked so.
"""

from __future__ import annotations

import pytest

from simulators.chargepoint import OcppVersion, StopReason
from tests.e2e.chain import (
    Chain,
    EventRecorder,
    LostAnswer,
    SentLog,
    compare_readings,
    eventually,
    running_station,
    together,
)
from tests.e2e.stored import completed_session, stored_energy, stored_seq_nos, stored_transaction

pytestmark = pytest.mark.e2e

TAG = "04E2E0OUTAGE01"
OUTAGE_S = 3.0
NO_PROBLEMS: dict[str, list[tuple[str, float]]] = {"missing": [], "doubled": [], "unexpected": []}


async def charge_through_outage(
    chain: Chain, version: OcppVersion
) -> dict[str, list[tuple[str, float]]]:
    """Charge across an outage at a fresh station; check the transaction; return what is
    wrong with the stored readings (see `compare_readings`)."""
    station_id = f"E2E-OUTAGE-{version}"
    station = chain.station(station_id, version, id_tags=(TAG,))
    sent = SentLog(station)
    lost = LostAnswer(station, OUTAGE_S)
    recorder = station.observer
    assert isinstance(recorder, EventRecorder)
    async with running_station(station):
        assert station.charging.start_session(1, id_tag=TAG, duration=600)
        await eventually(lambda: len(sent.energy_samples()) >= 3, 20, "three samples")
        lost.armed = True  # the answer to the next message is lost with the link
        await eventually(lambda: lost.fired, 10, "the link cut")
        queued_before = sent.queued
        await eventually(lambda: sent.queued > queued_before + 1, 10, "samples while offline")
        assert not station.online, version  # …queued while the link was down
        await eventually(lambda: station.online, 30, "the station back online")
        await eventually(lambda: len(station.outbox) == 0, 20, "the queue delivered")
        tx = station.active_transactions()[0]
        station.charging.stop(tx, StopReason.LOCAL)
        await eventually(lambda: len(station.outbox) == 0, 20, "the stop delivered")
    assert sent.attempts > sent.queued, version  # the message whose answer was lost went twice
    assert recorder.kinds().count("connected") == 2, version
    assert recorder.kinds().count("booted") == 1, version  # reconnecting is not rebooting

    session = await completed_session(chain, station_id)
    assert session["transaction_id"] == tx.transaction_id, version
    row = await stored_transaction(chain, station_id, str(tx.transaction_id))
    assert row.status == "completed", version
    stopped = await recorder.wait("transaction_stopped")
    assert row.energy_wh == pytest.approx(stopped.data["energy_wh"], abs=1.0), version
    if version == "2.0.1":
        events = await stored_seq_nos(chain, row.id)
        assert [seq for seq, _ in events] == list(range(tx.next_seq_no()))
        assert any(offline for _, offline in events), "no event was stored as offline"
    return compare_readings(await stored_energy(chain, row.id), sent.energy_samples())


async def test_outage_mid_transaction_loses_and_doubles_nothing(chain: Chain) -> None:
    await chain.csms("tokens", "add", TAG)
    v16, v201 = await together(
        charge_through_outage(chain, "1.6"), charge_through_outage(chain, "2.0.1")
    )
    assert v16 == NO_PROBLEMS
    assert v201 == NO_PROBLEMS
