"""`compute_stats` on hand-made facts: windows, local days (also across a DST change),
credits netting revenue, running sessions, and the charging intervals of a CDR record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shared.billing.stats import (
    CdrFacts,
    EvseFacts,
    GroupBy,
    SessionFacts,
    StatsWindow,
    StatusFacts,
    charging_intervals,
    compute_stats,
    total_row,
)

H = timedelta(hours=1)
M = timedelta(minutes=1)
# Sunday 30 March 2025: Stockholm moves from UTC+1 to UTC+2 at 01:00 UTC (a 23-hour day).
DST_DAY = datetime(2025, 3, 29, 23, 0, tzinfo=UTC)  # 00:00 local
EVSES = [EvseFacts("CP-1", 1, "L1"), EvseFacts("CP-1", 2, "L1"), EvseFacts("CP-2", 1, None)]


def session(tx: int, station: str, start: datetime, hours: float | None, wh: int) -> SessionFacts:
    end = None if hours is None else start + timedelta(hours=hours)
    location = "L1" if station == "CP-1" else None
    return SessionFacts(tx, station, 1, location, start, end, Decimal(wh))


_status_ids = iter(range(1, 10_000))


def status(
    station: str,
    at: datetime,
    word: str,
    error: str | None = None,
    *,
    evse: int = 1,
    connector: int = 1,
) -> StatusFacts:
    location = "L1" if station == "CP-1" else None
    return StatusFacts(next(_status_ids), station, evse, connector, location, at, word, error)


def test_local_days_follow_the_zone_and_its_dst_change() -> None:
    window = StatsWindow(DST_DAY, DST_DAY + 47 * H, "Europe/Stockholm")  # 30 and 31 March
    rows = compute_stats(window, GroupBy.DAY, evses=EVSES, sessions=[], cdrs=[], now=DST_DAY)
    assert [r.key for r in rows] == ["2025-03-30", "2025-03-31"]
    assert [r.evse_seconds / 3600 for r in rows] == [23 * 3, 24 * 3]


def test_sessions_energy_revenue_and_occupancy() -> None:
    start = datetime(2025, 4, 1, tzinfo=UTC)
    window = StatsWindow(start, start + 24 * H)
    sessions = [
        session(1, "CP-1", start + 8 * H, 2, 20_000),
        session(2, "CP-1", start - 2 * H, 3, 9_000),  # started the day before: 1 h occupied
        session(3, "CP-2", start + 23 * H, None, 1_500),  # still running at `now`
    ]
    cdrs = [
        CdrFacts(1, "EUR", Decimal("8.00"), Decimal("10.00"), False,
                 ((start + 8 * H, start + 9 * H + 30 * M),)),
        CdrFacts(1, "EUR", Decimal("-8.00"), Decimal("-10.00"), True),  # credited
        CdrFacts(1, "EUR", Decimal("6.00"), Decimal("7.50"), False, ()),  # and re-issued
        CdrFacts(2, "SEK", Decimal("30"), None, False, ((start - 2 * H, start + H),)),
    ]  # fmt: skip
    statuses = [
        status("CP-1", start - 2 * H, "Occupied"),  # the status the window starts in
        status("CP-1", start + H, "Available"),
        status("CP-1", start + 8 * H, "Occupied"),
        status("CP-1", start + 10 * H, "Available"),
        status("CP-2", start - H, "Faulted", "Old"),  # before the window: not counted
        status("CP-2", start + 2 * H, "Available"),
        status("CP-2", start + 5 * H, "Faulted", "GroundFailure"),
        status("CP-2", start + 5 * H + 10 * M, "Faulted", "GroundFailure"),  # still the same
        status("CP-2", start + 6 * H, "Available"),
        status("CP-2", start + 23 * H, "Occupied"),  # still occupied at `now`
    ]
    now = start + 23 * H + 30 * M
    rows = {r.key: r for r in compute_stats(
        window, GroupBy.STATION, evses=EVSES, sessions=sessions, cdrs=cdrs, statuses=statuses,
        now=now,
    )}  # fmt: skip
    one, two = rows["CP-1"].as_json(), rows["CP-2"].as_json()
    assert one["sessions"] == 1  # session 2 started the day before
    assert one["energy_kwh"] == 20
    assert one["revenue"] == [{"currency": "EUR", "excl_vat": 6.0, "incl_vat": 7.5}]
    assert one["occupied_hours"] == 3  # the first hour of the day, then 08:00–10:00
    assert one["charging_hours"] == 2.5  # 1.5 h + 1 h of session 2's charging
    assert one["evse_hours"] == 48
    assert one["occupancy"] == pytest.approx(3 / 48, abs=1e-4)
    assert one["average_session_minutes"] == 120
    assert two["sessions"] == 1
    assert two["average_session_minutes"] is None  # still running
    assert two["occupied_hours"] == 0.5  # up to `now`
    assert two["faults"] == 1
    assert two["error_codes"] == {"GroundFailure": 1}
    total = total_row(rows.values()).as_json()
    assert total["sessions"] == 2
    assert total["evse_hours"] == 72


def test_charging_intervals_of_a_cdr_record() -> None:
    record = {
        "end_date_time": "2025-04-01T10:00:00Z",
        "charging_periods": [
            {"start_date_time": "2025-04-01T08:00:00Z",
             "dimensions": [{"type": "TIME", "volume": 1}]},
            {"start_date_time": "2025-04-01T09:00:00Z",
             "dimensions": [{"type": "PARKING_TIME", "volume": 0.5}]},
            {"start_date_time": "2025-04-01T09:30:00Z",
             "dimensions": [{"type": "TIME", "volume": 0.5}]},
        ],
    }  # fmt: skip
    at = datetime(2025, 4, 1, tzinfo=UTC)
    assert charging_intervals(record) == (
        (at + 8 * H, at + 9 * H),
        (at + 9 * H + 30 * M, at + 10 * H),
    )


def test_a_window_must_be_forward_and_zoned() -> None:
    start = datetime(2025, 4, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="end after"):
        StatsWindow(start, start)
    with pytest.raises(ValueError, match="time zone"):
        StatsWindow(start, start + H, "Mars/Olympus")
