"""The seqNo fold of 2.0.1 TransactionEvents: arrival order never changes the result."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.transactions import (
    DEFAULT_STOP_REASON,
    EnergyReading,
    TransactionEventReport,
    TransactionEventType,
    TransactionState,
    TransactionStatus,
    advance,
    fold_events,
    needs_refold,
    open_state,
)

BASE = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
STARTED, UPDATED, ENDED = (
    TransactionEventType.STARTED,
    TransactionEventType.UPDATED,
    TransactionEventType.ENDED,
)


def event(
    seq_no: int,
    event_type: TransactionEventType = UPDATED,
    *,
    wh: float | None = None,
    first_wh: float | None = None,
    **fields: object,
) -> TransactionEventReport:
    at = BASE + timedelta(minutes=seq_no)
    first = first_wh if first_wh is not None else wh
    return TransactionEventReport(
        transaction_ref="tx-1",
        seq_no=seq_no,
        event_type=event_type,
        timestamp=at,
        trigger_reason="MeterValuePeriodic",
        first_energy=EnergyReading(first, at) if first is not None else None,
        last_energy=EnergyReading(wh, at) if wh is not None else None,
        **fields,  # type: ignore[arg-type]
    )


def arrive(events: list[TransactionEventReport]) -> TransactionState:
    """What the use case does, event by event, in arrival order (duplicates included)."""
    state: TransactionState | None = None
    seen: dict[int, TransactionEventReport] = {}
    for item in events:
        if item.seq_no in seen:
            continue  # the unique (transaction, seqNo) row recognises it
        seen[item.seq_no] = item
        if state is None:
            state = open_state(item)
        elif needs_refold(state, item):
            state = fold_events(seen.values())
        else:
            state = advance(state, item)
    assert state is not None
    return state


# --- examples ------------------------------------------------------------------------------


def test_a_session_in_order() -> None:
    state = fold_events(
        [
            event(0, STARTED, wh=1000.0, id_token="TAG", id_token_type="ISO14443", evse_id=1),
            event(1, wh=1500.5, charging_state="Charging"),
            event(2, ENDED, wh=2000.25, stopped_reason="EVDisconnected"),
        ]
    )
    assert state.status is TransactionStatus.COMPLETED
    assert state.started_at == BASE
    assert state.ended_at == BASE + timedelta(minutes=2)
    assert state.meter_start_wh == 1000.0
    assert state.meter_stop_wh == 2000.25
    assert state.energy_wh == 1000.25
    assert state.stop_reason == "EVDisconnected"
    assert (state.id_token, state.evse_id, state.charging_state) == ("TAG", 1, "Charging")
    assert state.last_seq_no == 2


def test_a_late_ended_still_ends_the_transaction() -> None:
    state = arrive([event(0, STARTED, wh=0.0), event(2, wh=30.0), event(1, ENDED, wh=20.0)])
    assert state.status is TransactionStatus.COMPLETED
    assert state.ended_at == BASE + timedelta(minutes=1)
    # The Updated with seqNo 2 comes after the end: it changes nothing.
    assert state.energy_wh == 20.0
    assert state.stop_reason == DEFAULT_STOP_REASON


def test_an_updated_after_ended_does_not_reopen() -> None:
    ended = arrive([event(0, STARTED, wh=5.0), event(1, ENDED, wh=9.0)])
    later = advance(ended, event(2, charging_state="Charging", wh=50.0, offline=True))
    assert later.status is TransactionStatus.COMPLETED
    assert later.energy_wh == 4.0
    assert later.charging_state is None
    assert later.offline
    assert later.last_seq_no == 2


def test_a_late_started_sets_the_meter_start_and_start_time() -> None:
    state = arrive([event(1, wh=1500.0), event(2, wh=1700.0), event(0, STARTED, wh=1000.0)])
    assert state.meter_start_wh == 1000.0
    assert state.energy_wh == 700.0
    assert state.started_at == BASE


def test_a_duplicate_seq_no_is_applied_once() -> None:
    first = event(1, wh=10.0)
    changed = event(1, wh=99.0)
    state = arrive([event(0, STARTED, wh=0.0), first, changed])
    assert state.energy_wh == 10.0


def test_fold_needs_events() -> None:
    with pytest.raises(ValueError, match="at least one event"):
        fold_events([])


# --- properties ----------------------------------------------------------------------------

TOKENS = st.none() | st.sampled_from(["TAG-A", "TAG-B"])
STATES = st.none() | st.sampled_from(["Charging", "EVConnected", "SuspendedEV", "Idle"])
READINGS = st.none() | st.floats(0, 1e7, allow_nan=False, allow_infinity=False)


@st.composite
def transactions(draw: st.DrawFn) -> list[TransactionEventReport]:
    seqs = sorted(draw(st.sets(st.integers(0, 40), min_size=1, max_size=9)))
    ended_at = draw(st.none() | st.sampled_from(seqs))
    events = []
    for position, seq in enumerate(seqs):
        kind = STARTED if position == 0 else UPDATED
        if seq == ended_at:
            kind = ENDED
        reading = draw(READINGS)
        events.append(
            TransactionEventReport(
                transaction_ref="tx",
                seq_no=seq,
                event_type=kind,
                timestamp=BASE + timedelta(seconds=draw(st.integers(0, 10_000))),
                trigger_reason="Trigger",
                offline=draw(st.booleans()),
                charging_state=draw(STATES),
                stopped_reason=draw(st.none() | st.sampled_from(["Local", "Remote"])),
                remote_start_id=draw(st.none() | st.integers(1, 5)),
                id_token=draw(TOKENS),
                id_token_type="ISO14443",
                evse_id=draw(st.integers(0, 2)),
                connector_id=draw(st.integers(0, 2)),
                first_energy=None
                if reading is None
                else EnergyReading(reading, BASE + timedelta(seconds=seq)),
                last_energy=None
                if reading is None
                else EnergyReading(
                    reading + draw(st.floats(0, 1e4)), BASE + timedelta(seconds=seq)
                ),
            )
        )
    return events


@settings(max_examples=300, deadline=None)
@given(data=st.data(), events=transactions())
def test_any_arrival_order_gives_the_fold(
    data: st.DataObject, events: list[TransactionEventReport]
) -> None:
    repeats = data.draw(st.lists(st.sampled_from(events), max_size=4))
    order = data.draw(st.permutations(events + repeats))
    assert arrive(order) == fold_events(events)
    assert arrive(sorted(events, key=lambda e: e.seq_no)) == fold_events(events)


@settings(max_examples=300, deadline=None)
@given(events=transactions())
def test_the_fold_matches_a_reference(events: list[TransactionEventReport]) -> None:
    state = fold_events(reversed(events))
    ordered = sorted(events, key=lambda e: e.seq_no)
    ends = [e for e in ordered if e.event_type is ENDED]
    # Events after the first Ended (by seqNo) do not count.
    counted = [e for e in ordered if not ends or e.seq_no <= ends[0].seq_no]
    assert state.status is (TransactionStatus.COMPLETED if ends else TransactionStatus.ACTIVE)
    assert state.started_at == ordered[0].timestamp
    assert state.ended_at == (ends[0].timestamp if ends else None)
    assert state.last_seq_no == ordered[-1].seq_no
    assert state.offline == any(e.offline for e in ordered)
    with_token = [e for e in counted if e.id_token is not None]
    assert state.id_token == (with_token[0].id_token if with_token else None)
    readings = [e for e in counted if e.first_energy is not None and e.last_energy is not None]
    if readings:
        start = readings[0].first_energy
        last = readings[-1].last_energy
        assert start is not None
        assert last is not None
        assert state.meter_start_wh == start.wh
        assert state.energy_wh == last.wh - start.wh
        assert state.last_meter_at == last.at
    else:
        assert state.meter_start_wh is None
        assert state.energy_wh == 0.0
    if ends:
        assert state.stop_reason == (ends[0].stopped_reason or DEFAULT_STOP_REASON)
        if ends[0].last_energy is not None:
            assert state.meter_stop_wh == ends[0].last_energy.wh
