"""Charging statistics per station, location or day: what an operator reports and plans with.

Pure computation over facts read from the store (`shared/store/stats.py`); nothing here
reads a database, so every figure can be checked against the facts it came from.

Definitions, for a window [`start`, `end`) and a grouping (station, location, or local day):

- **sessions**: sessions that *started* in the window, counted in the group of their
  station / location / local start day; **energy_kwh** is their energy, **revenue** the net
  total of their CDRs (credit CDRs included, so a credited session nets to what is re-issued),
  per currency, excl. and incl. VAT; **average_session_minutes** is over those of them that
  have ended.
- **occupied_hours**: time the EVSEs were occupied by the connector status history (a
  connector Occupied, in 1.6 words Preparing, Charging, SuspendedEV/EVSE or Finishing; see
  `shared.billing.occupancy`), clipped to the window and split at day boundaries; the last
  status holds until `now`. It covers the whole visit, plugged in to unplugged, also
  outside a transaction, and it ends when the charger says so even if a transaction was
  never stopped.
- **charging_hours**: the time vehicles charged, from the charging periods of the
  sessions' CDRs (TIME periods, mod_cdrs), clipped and split the same way: the CDR says it
  for both OCPP versions (a 2.0.1 connector status never says Charging) exactly as billed.
  Sessions still running have no CDR yet and add none.
- **evse_hours**: the EVSEs of the group times the hours of the window (of the day, for
  daily rows) — the time they could have been used. **occupancy** = occupied / evse hours,
  **charging_share** = charging / evse hours.
- **faults**: transitions of a connector into Faulted in the window (cleared ones
  included), and the error codes reported with them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

from shared.billing.occupancy import FaultFacts, StatusFacts, occupied_intervals, status_faults
from shared.billing.usage import load_zone

__all__ = [
    "NO_LOCATION",
    "CdrFacts",
    "EvseFacts",
    "FaultFacts",
    "GroupBy",
    "SessionFacts",
    "StatsRow",
    "StatsWindow",
    "StatusFacts",
    "charging_intervals",
    "compute_stats",
    "total_row",
]

NO_LOCATION = "(none)"  # the group of stations linked to no location

_HOUR = Decimal(3600)
_SHARE = Decimal("0.0001")
_HOURS = Decimal("0.001")


class GroupBy(StrEnum):
    """How rows are grouped."""

    STATION = "station"
    LOCATION = "location"
    DAY = "day"


@dataclass(frozen=True, slots=True)
class StatsWindow:
    """[start, end) in UTC, and the zone local days are counted in."""

    start: datetime
    end: datetime
    time_zone: str = "UTC"

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("the window must end after it starts")
        load_zone(self.time_zone)


@dataclass(frozen=True, slots=True)
class EvseFacts:
    station_id: str
    evse_id: int
    location_id: str | None


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """A session: where, when (`ended_at` None while it runs), how much energy."""

    transaction_id: int
    station_id: str
    evse_id: int
    location_id: str | None
    started_at: datetime
    ended_at: datetime | None
    energy_wh: Decimal


@dataclass(frozen=True, slots=True)
class CdrFacts:
    """A CDR of a session: its total and, for the original, its charging intervals."""

    transaction_id: int
    currency: str
    cost_excl_vat: Decimal
    cost_incl_vat: Decimal | None
    credit: bool
    charging: tuple[tuple[datetime, datetime], ...] = ()


@dataclass(slots=True)
class StatsRow:
    """The figures of one group."""

    key: str
    sessions: int = 0
    energy_wh: Decimal = Decimal(0)
    revenue: dict[str, list[Decimal]] = field(default_factory=dict)  # currency → [excl, incl]
    completed: int = 0
    session_seconds: Decimal = Decimal(0)
    occupied_seconds: Decimal = Decimal(0)
    charging_seconds: Decimal = Decimal(0)
    evse_seconds: Decimal = Decimal(0)
    faults: int = 0
    error_codes: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        """The row for the operator API and `csms stats --json` (numbers, not strings)."""
        average = self.session_seconds / self.completed / 60 if self.completed else None
        return {
            "key": self.key,
            "sessions": self.sessions,
            "energy_kwh": float((self.energy_wh / 1000).quantize(_HOURS, ROUND_HALF_UP)),
            "revenue": [
                {"currency": currency, "excl_vat": float(excl), "incl_vat": float(incl)}
                for currency, (excl, incl) in sorted(self.revenue.items())
            ],
            "average_session_minutes": None
            if average is None
            else float(average.quantize(Decimal("0.01"))),
            "occupied_hours": _hours(self.occupied_seconds),
            "charging_hours": _hours(self.charging_seconds),
            "evse_hours": _hours(self.evse_seconds),
            "occupancy": _share(self.occupied_seconds, self.evse_seconds),
            "charging_share": _share(self.charging_seconds, self.evse_seconds),
            "faults": self.faults,
            "error_codes": dict(sorted(self.error_codes.items())),
        }


_RowOf: TypeAlias = Callable[[str], StatsRow]


def _hours(seconds: Decimal) -> float:
    return float((seconds / _HOUR).quantize(_HOURS, ROUND_HALF_UP))


def _share(part: Decimal, whole: Decimal) -> float | None:
    return None if not whole else float((part / whole).quantize(_SHARE, ROUND_HALF_UP))


def _seconds(start: datetime, end: datetime) -> Decimal:
    return Decimal((end - start) // timedelta(microseconds=1)) / Decimal(1_000_000)


def _days(window: StatsWindow) -> list[tuple[date, datetime, datetime]]:
    """The local days the window touches, each as (date, UTC start, UTC end) within it."""
    zone = ZoneInfo(window.time_zone)
    day = window.start.astimezone(zone).date()
    found = []
    while True:
        # In UTC: two times in the same zone subtract as wall clocks (a DST day is 23 or
        # 25 hours long, not 24).
        begin = datetime.combine(day, time(0), zone).astimezone(UTC)
        finish = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
        low, high = max(begin, window.start), min(finish, window.end)
        if low >= window.end:
            break
        if low < high:
            found.append((day, low, high))
        day += timedelta(days=1)
    return found


def _pieces(
    start: datetime, end: datetime, window: StatsWindow, by: GroupBy
) -> Iterator[tuple[str | None, datetime, datetime]]:
    """[start, end) clipped to the window; for daily rows, split at local midnights."""
    low, high = max(start, window.start), min(end, window.end)
    if low >= high:
        return
    if by is not GroupBy.DAY:
        yield None, low, high
        return
    for day, begin, finish in _days(window):
        a, b = max(low, begin), min(high, finish)
        if a < b:
            yield day.isoformat(), a, b


def _key(by: GroupBy, station_id: str, location_id: str | None, day: str | None) -> str:
    if by is GroupBy.STATION:
        return station_id
    if by is GroupBy.LOCATION:
        return location_id or NO_LOCATION
    assert day is not None
    return day


def _local_day(moment: datetime, window: StatsWindow) -> str:
    return moment.astimezone(ZoneInfo(window.time_zone)).date().isoformat()


def compute_stats(
    window: StatsWindow,
    by: GroupBy,
    *,
    evses: Iterable[EvseFacts],
    sessions: Iterable[SessionFacts],
    cdrs: Iterable[CdrFacts],
    statuses: Iterable[StatusFacts] = (),
    now: datetime,
) -> list[StatsRow]:
    """The rows of the window, sorted by key (see the module doc for each figure).

    `statuses` are the connector statuses inside the window plus, per connector, the last
    one before it (`shared.billing.occupancy`).
    """
    rows: dict[str, StatsRow] = {}

    def row(key: str) -> StatsRow:
        return rows.setdefault(key, StatsRow(key))

    _add_capacity(window, by, list(evses), row)
    session_list = list(sessions)
    by_transaction = {s.transaction_id: s for s in session_list}
    counted = _add_sessions(window, by, session_list, row)
    _add_cdrs(window, by, list(cdrs), by_transaction, counted, row)
    status_list = list(statuses)
    for interval in occupied_intervals(status_list, until=now):
        for day_key, low, high in _pieces(interval.start, interval.end, window, by):
            key = _key(by, interval.station_id, interval.location_id, day_key)
            row(key).occupied_seconds += _seconds(low, high)
    _add_faults(window, by, status_faults(status_list, window.start, window.end), row)
    return [rows[key] for key in sorted(rows)]


def _add_faults(
    window: StatsWindow, by: GroupBy, faults: Iterable[FaultFacts], row: _RowOf
) -> None:
    for fault in faults:
        day = _local_day(fault.at, window) if by is GroupBy.DAY else None
        target = row(_key(by, fault.station_id, fault.location_id, day))
        target.faults += 1
        target.error_codes[fault.error_code or "Unknown"] += 1


def _add_capacity(
    window: StatsWindow, by: GroupBy, evses: Sequence[EvseFacts], row: _RowOf
) -> None:
    if by is GroupBy.DAY:
        for day, begin, finish in _days(window):
            row(day.isoformat()).evse_seconds += _seconds(begin, finish) * len(evses)
        return
    span = _seconds(window.start, window.end)
    for evse in evses:
        row(_key(by, evse.station_id, evse.location_id, None)).evse_seconds += span


def _add_sessions(
    window: StatsWindow, by: GroupBy, sessions: Sequence[SessionFacts], row: _RowOf
) -> set[int]:
    counted: set[int] = set()
    for session in sessions:
        if window.start <= session.started_at < window.end:
            counted.add(session.transaction_id)
            day = _local_day(session.started_at, window) if by is GroupBy.DAY else None
            target = row(_key(by, session.station_id, session.location_id, day))
            target.sessions += 1
            target.energy_wh += session.energy_wh
            if session.ended_at is not None:
                target.completed += 1
                target.session_seconds += _seconds(session.started_at, session.ended_at)
    return counted


def _add_cdrs(
    window: StatsWindow,
    by: GroupBy,
    cdrs: Sequence[CdrFacts],
    sessions: dict[int, SessionFacts],
    counted: set[int],
    row: _RowOf,
) -> None:
    for cdr in cdrs:
        session = sessions.get(cdr.transaction_id)
        if session is None:
            continue
        if cdr.transaction_id in counted:
            day = _local_day(session.started_at, window) if by is GroupBy.DAY else None
            target = row(_key(by, session.station_id, session.location_id, day))
            totals = target.revenue.setdefault(cdr.currency, [Decimal(0), Decimal(0)])
            totals[0] += cdr.cost_excl_vat
            totals[1] += cdr.cost_incl_vat if cdr.cost_incl_vat is not None else cdr.cost_excl_vat
        if cdr.credit:
            continue  # a credit repeats the original's periods: count them once
        for start, end in cdr.charging:
            for day_key, low, high in _pieces(start, end, window, by):
                key = _key(by, session.station_id, session.location_id, day_key)
                row(key).charging_seconds += _seconds(low, high)


def total_row(rows: Iterable[StatsRow]) -> StatsRow:
    """All rows added up (key `total`)."""
    total = StatsRow("total")
    for item in rows:
        total.sessions += item.sessions
        total.energy_wh += item.energy_wh
        for currency, (excl, incl) in item.revenue.items():
            sums = total.revenue.setdefault(currency, [Decimal(0), Decimal(0)])
            sums[0] += excl
            sums[1] += incl
        total.completed += item.completed
        total.session_seconds += item.session_seconds
        total.occupied_seconds += item.occupied_seconds
        total.charging_seconds += item.charging_seconds
        total.evse_seconds += item.evse_seconds
        total.faults += item.faults
        total.error_codes.update(item.error_codes)
    return total


def charging_intervals(record: Mapping[str, Any]) -> tuple[tuple[datetime, datetime], ...]:
    """The stretches of a CDR record during which the vehicle charged: its charging periods
    with a TIME dimension, each lasting until the next period (the last until the end)."""
    periods = record.get("charging_periods") or []
    starts = [_parse_time(p["start_date_time"]) for p in periods]
    ends = [*starts[1:], _parse_time(record["end_date_time"])]
    found = []
    for period, start, end in zip(periods, starts, ends, strict=True):
        if any(d.get("type") == "TIME" for d in period.get("dimensions", ())) and start < end:
            found.append((start, end))
    return tuple(found)


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
