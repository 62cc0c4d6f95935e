"""What a station tells the outside world: events as they happen, counters on demand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = ["EventKind", "StationEvent", "StationObserver", "StationStats"]

EventKind = Literal[
    "connected",
    "disconnected",
    "booted",
    "boot_refused",
    "transaction_started",
    "transaction_stopped",
    "error",
]


@dataclass(frozen=True, slots=True)
class StationEvent:
    """Something that happened at one station; `data` holds JSON-ready details."""

    kind: EventKind
    station_id: str
    data: Mapping[str, object] = field(default_factory=dict)


class StationObserver(Protocol):
    """Receives a station's events (the fleet runner, or a test)."""

    def on_station_event(self, event: StationEvent) -> None:
        """Called synchronously on the event loop; must not block."""


@dataclass(slots=True)
class StationStats:
    """Running counters of one station."""

    messages_sent: int = 0
    messages_received: int = 0
    errors: int = 0
    connections: int = 0
    boots: int = 0
    transactions_started: int = 0
    transactions_stopped: int = 0
