"""Transactions (charging sessions) and meter values, independent of the OCPP version.

A transaction's state is a fold over what the charger reported about it. OCPP 2.0.1 numbers
every TransactionEvent of a transaction (`seqNo`, E01–E07) and lets a station deliver events
late, from its offline queue (E12): the state is therefore derived from the events *in seqNo
order*, never in arrival order. `fold_events` is that derivation, `advance` one step of it:

- the first event by seqNo opens the state (its time is the start time);
- an `Ended` event closes it; nothing later in seqNo order reopens or changes it;
- the first EVSE, id token, remote start id and reservation seen are kept;
- the first energy register reading is the meter start, the last one sets `energy_wh`.

Applying `advance` to events that arrive in seqNo order gives exactly `fold_events` of them;
an event older than the newest one applied needs a fresh fold (see `needs_refold`).

Meter samples are plain dicts (`MeterSample`, a TypedDict): MeterValues is the most frequent
message, and one dict per sampled value is all the per-sample work it may cost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TypedDict

__all__ = [
    "DEFAULT_STOP_REASON",
    "ENERGY_REGISTER",
    "SUPERSEDED_STOP_REASON",
    "EnergyReading",
    "MeterReport",
    "MeterSample",
    "Transaction",
    "TransactionEventReport",
    "TransactionEventType",
    "TransactionState",
    "TransactionStatus",
    "advance",
    "apply_reading",
    "fold_events",
    "needs_refold",
    "open_state",
    "start_fingerprint",
    "stop_fingerprint",
]

#: The measurand whose readings give a transaction's energy (1.6 §7.31 default measurand).
ENERGY_REGISTER = "Energy.Active.Import.Register"

#: 1.6 StopTransaction.reason and 2.0.1 stoppedReason may only be left out when the reason
#: is Local (1.6 §6.49, 2.0.1 TransactionType.stoppedReason).
DEFAULT_STOP_REASON = "Local"

#: Why we close a transaction the charger never stopped, when it starts a new one on the
#: same connector (PITFALLS "Real chargers" #6). We do not know the real reason: "Other" is
#: the one value of both versions' Reason enums that claims nothing ("DeAuthorized" or
#: "PowerLoss" would each assert a cause we have no evidence for).
SUPERSEDED_STOP_REASON = "Other"


class TransactionStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"


class TransactionEventType(StrEnum):
    """2.0.1 TransactionEventEnumType."""

    STARTED = "Started"
    UPDATED = "Updated"
    ENDED = "Ended"


class MeterSample(TypedDict):
    """One sampled value, shaped like a `meter_values` row."""

    station_id: str
    evse_id: int
    transaction_id: int | None
    timestamp: datetime
    measurand: str
    phase: str | None
    unit: str | None
    context: str | None
    location: str | None
    value: float


@dataclass(frozen=True, slots=True)
class EnergyReading:
    """An Energy.Active.Import.Register reading, in Wh."""

    wh: float
    at: datetime


@dataclass(frozen=True, slots=True)
class MeterReport:
    """The sampled values of one message, and its first and last energy register readings."""

    samples: list[MeterSample] = field(default_factory=list)
    first_energy: EnergyReading | None = None
    last_energy: EnergyReading | None = None
    skipped: int = 0  # sampled values that carry no number (signed data, garbage)


@dataclass(frozen=True, slots=True)
class TransactionEventReport:
    """One 2.0.1 TransactionEvent in domain terms (0 means "not said" for EVSE/connector)."""

    transaction_ref: str
    seq_no: int
    event_type: TransactionEventType
    timestamp: datetime
    trigger_reason: str
    offline: bool = False
    charging_state: str | None = None
    stopped_reason: str | None = None
    remote_start_id: int | None = None
    id_token: str | None = None
    id_token_type: str | None = None
    evse_id: int = 0
    connector_id: int = 0
    reservation_id: int | None = None
    first_energy: EnergyReading | None = None
    last_energy: EnergyReading | None = None


@dataclass(frozen=True, slots=True)
class TransactionState:
    """What the events of a transaction add up to (the stateful columns of its row)."""

    status: TransactionStatus
    started_at: datetime
    last_seq_no: int | None = None
    ended_at: datetime | None = None
    evse_id: int = 0
    connector_id: int = 0
    id_token: str | None = None
    id_token_type: str | None = None
    charging_state: str | None = None
    stop_reason: str | None = None
    remote_start_id: int | None = None
    reservation_id: int | None = None
    meter_start_wh: float | None = None
    meter_stop_wh: float | None = None
    energy_wh: float = 0.0
    last_meter_at: datetime | None = None
    offline: bool = False

    @property
    def active(self) -> bool:
        return self.status is TransactionStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class Transaction:
    """A stored transaction: its identity, its state, and who authorised it."""

    id: int
    station_id: str
    transaction_ref: str  # the id as the charger knows it (1.6: str(id))
    state: TransactionState
    group_id: str | None = None
    partner_id: int | None = None
    authorization_reference: str | None = None
    command_id: str | None = None
    created_at: datetime | None = None
    last_updated: datetime | None = None

    @property
    def status(self) -> TransactionStatus:
        return self.state.status

    @property
    def evse_id(self) -> int:
        return self.state.evse_id

    @property
    def id_token(self) -> str | None:
        return self.state.id_token

    @property
    def energy_wh(self) -> float:
        return self.state.energy_wh


def open_state(event: TransactionEventReport) -> TransactionState:
    """The state after the first event (by seqNo) of a transaction."""
    state = TransactionState(
        status=TransactionStatus.ACTIVE, started_at=event.timestamp, last_seq_no=event.seq_no
    )
    return _apply(state, event)


def advance(state: TransactionState, event: TransactionEventReport) -> TransactionState:
    """The state after `event`, whose seqNo is above every seqNo already applied."""
    if not state.active:
        # E06/E07: Ended is a transaction's last event; a later one must not reopen it.
        return replace(state, last_seq_no=event.seq_no, offline=state.offline or event.offline)
    return _apply(replace(state, last_seq_no=event.seq_no), event)


def _apply(state: TransactionState, event: TransactionEventReport) -> TransactionState:
    meter_start = state.meter_start_wh
    energy = state.energy_wh
    last_meter_at = state.last_meter_at
    meter_stop = state.meter_stop_wh
    if event.first_energy is not None and meter_start is None:
        meter_start = event.first_energy.wh
    if event.last_energy is not None and meter_start is not None:
        energy = event.last_energy.wh - meter_start
        last_meter_at = event.last_energy.at
    token_known = state.id_token is not None
    ended = event.event_type is TransactionEventType.ENDED
    if ended:
        if event.last_energy is not None:
            meter_stop = event.last_energy.wh
        elif meter_start is not None:
            meter_stop = meter_start + energy
    return replace(
        state,
        status=TransactionStatus.COMPLETED if ended else state.status,
        ended_at=event.timestamp if ended else state.ended_at,
        stop_reason=(event.stopped_reason or DEFAULT_STOP_REASON) if ended else state.stop_reason,
        evse_id=state.evse_id or event.evse_id,
        connector_id=state.connector_id or event.connector_id,
        id_token=state.id_token if token_known else event.id_token,
        id_token_type=state.id_token_type if token_known else event.id_token_type,
        charging_state=event.charging_state or state.charging_state,
        remote_start_id=_first(state.remote_start_id, event.remote_start_id),
        reservation_id=_first(state.reservation_id, event.reservation_id),
        meter_start_wh=meter_start,
        meter_stop_wh=meter_stop,
        energy_wh=energy,
        last_meter_at=last_meter_at,
        offline=state.offline or event.offline,
    )


def apply_reading(state: TransactionState, reading: EnergyReading) -> TransactionState | None:
    """The state after an energy register reading of a 1.6 MeterValues, or None when it does
    not count: the transaction is no longer active, or it has a newer reading already (an
    offline replay delivers old readings after new ones). Without a meter start, the first
    reading is the start (energy 0)."""
    if not state.active or (state.last_meter_at is not None and reading.at < state.last_meter_at):
        return None
    start = state.meter_start_wh if state.meter_start_wh is not None else reading.wh
    return replace(state, energy_wh=reading.wh - start, last_meter_at=reading.at)


def _first(known: int | None, new: int | None) -> int | None:
    return known if known is not None else new


def fold_events(events: Iterable[TransactionEventReport]) -> TransactionState:
    """The state of a transaction from all its events, whatever order they arrived in.

    Events with the same seqNo are one event (the first one given wins).
    """
    by_seq: dict[int, TransactionEventReport] = {}
    for event in events:
        by_seq.setdefault(event.seq_no, event)
    if not by_seq:
        raise ValueError("a transaction needs at least one event")
    ordered = [by_seq[seq] for seq in sorted(by_seq)]
    state = open_state(ordered[0])
    for event in ordered[1:]:
        state = advance(state, event)
    return state


def needs_refold(state: TransactionState, event: TransactionEventReport) -> bool:
    """True when `event` is older (by seqNo) than what `state` already includes."""
    return state.last_seq_no is not None and event.seq_no < state.last_seq_no


def start_fingerprint(connector_id: int, id_tag: str, timestamp: str, meter_start: int) -> str:
    """Recognises a 1.6 StartTransaction sent again after a reconnect (DESIGN "Data that must
    not be lost"): same connector, idTag, timestamp as sent, and meter start."""
    return _digest("start", str(connector_id), id_tag, timestamp, str(meter_start))


def stop_fingerprint(
    transaction_id: int, id_tag: str | None, timestamp: str, meter_stop: int
) -> str:
    """Recognises a repeated 1.6 StopTransaction for a transaction we never saw start."""
    return _digest("stop", str(transaction_id), id_tag or "", timestamp, str(meter_stop))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
