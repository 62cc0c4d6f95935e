"""Occupancy and faults from the connector status history (pure, like `shared.billing.stats`).

Every StatusNotification a charger sends is kept (`connector_status_history`), in the
domain's status words (OCPP 2.0.1 ConnectorStatusEnumType: a 1.6 Preparing, Charging,
SuspendedEV, SuspendedEVSE or Finishing is Occupied). From those rows:

- a connector's status holds from its time until the connector's next status; the last one
  holds until `until` (now), and nothing counts after it. An EVSE is **occupied** while at
  least one of its connectors is Occupied (2.0.1 EVSEs may have several connectors, only
  one usable at a time: the union, so occupancy never exceeds the EVSE's time). EVSE 0 (a
  1.6 charge point as a whole) has no occupancy of its own;
- a **fault** is a connector's transition into Faulted: a Faulted status whose previous
  status on that connector was not Faulted (repeats while it stays Faulted are one fault;
  one that was cleared and came back is two). Its error code is the one reported with it.
  EVSE 0 counts: a 1.6 charge point that faults as a whole says so on connector 0.

The rows given are those inside the window plus, per connector, the last one before it (the
status the window starts in); one before the window never counts as a fault in it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "FAULTED",
    "OCCUPIED",
    "EvseInterval",
    "FaultFacts",
    "StatusFacts",
    "occupied_intervals",
    "status_faults",
]

OCCUPIED = "Occupied"
FAULTED = "Faulted"


@dataclass(frozen=True, slots=True)
class StatusFacts:
    """One status a connector reported (`id` orders reports of the same instant)."""

    id: int
    station_id: str
    evse_id: int
    connector_id: int
    location_id: str | None
    at: datetime
    status: str
    error_code: str | None = None


@dataclass(frozen=True, slots=True)
class FaultFacts:
    """A connector that went Faulted, when, and the error code it gave."""

    station_id: str
    evse_id: int
    location_id: str | None
    at: datetime
    error_code: str | None


@dataclass(frozen=True, slots=True)
class EvseInterval:
    """A stretch [start, end) during which an EVSE was occupied."""

    station_id: str
    evse_id: int
    location_id: str | None
    start: datetime
    end: datetime


def _by_connector(statuses: Iterable[StatusFacts]) -> dict[tuple[str, int, int], list[StatusFacts]]:
    found: dict[tuple[str, int, int], list[StatusFacts]] = defaultdict(list)
    for status in statuses:
        found[(status.station_id, status.evse_id, status.connector_id)].append(status)
    for rows in found.values():
        rows.sort(key=lambda s: (s.at, s.id))
    return found


def _stretches(
    rows: list[StatusFacts], until: datetime
) -> Iterator[tuple[StatusFacts, datetime, datetime]]:
    """Each status of one connector with the stretch it held (nothing after `until`)."""
    for index, row in enumerate(rows):
        end = min(rows[index + 1].at, until) if index + 1 < len(rows) else until
        if row.at < end:
            yield row, row.at, end


def _merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def occupied_intervals(statuses: Iterable[StatusFacts], until: datetime) -> list[EvseInterval]:
    """The stretches during which each EVSE (above 0) was occupied, in time order per EVSE."""
    spans: dict[tuple[str, int], list[tuple[datetime, datetime]]] = defaultdict(list)
    locations: dict[tuple[str, int], str | None] = {}
    for (station_id, evse_id, _), rows in _by_connector(statuses).items():
        if evse_id <= 0:
            continue
        for row, start, end in _stretches(rows, until):
            locations[(station_id, evse_id)] = row.location_id
            if row.status == OCCUPIED:
                spans[(station_id, evse_id)].append((start, end))
    return [
        EvseInterval(station_id, evse_id, locations[(station_id, evse_id)], start, end)
        for (station_id, evse_id), found in sorted(spans.items())
        for start, end in _merged(found)
    ]


def status_faults(
    statuses: Iterable[StatusFacts], start: datetime, end: datetime
) -> list[FaultFacts]:
    """The transitions into Faulted in [start, end), in time order."""
    found: list[FaultFacts] = []
    for rows in _by_connector(statuses).values():
        previous: str | None = None
        for row in rows:
            if row.status == FAULTED and previous != FAULTED and start <= row.at < end:
                found.append(
                    FaultFacts(row.station_id, row.evse_id, row.location_id, row.at, row.error_code)
                )
            previous = row.status
    return sorted(found, key=lambda f: (f.at, f.station_id, f.evse_id))
