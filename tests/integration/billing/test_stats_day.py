"""The statistics of a simulated day, driven through the real OCPP path, against figures the
test works out on its own from the plan of the day (minute by minute, not by intervals)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from shared.config import DatabaseSettings
from tests.harness import node_settings, ocpp_client, running_node
from tests.integration.billing.helpers import (
    add_location,
    add_tariff,
    boot_16,
    cdr_of,
    link_connector,
)
from tests.integration.billing.sessions import Session16, run_session, start_session, status
from tests.integration.cli.helpers import ADMIN_TOKEN, admin
from tests.integration.ocpp.tx_support import add_token

DAY = datetime(2025, 5, 6, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)
LOCATION_OF = {"CP-A": "LOC-1", "CP-B": "LOC-2", "CP-C": None}
EVSES = {"CP-A": (1, 2), "CP-B": (1,), "CP-C": (1,)}
TARIFF = {
    "id": "E40",
    "currency": "EUR",
    "elements": [
        {"price_components": [{"type": "ENERGY", "price": 0.40, "vat": 25.0, "step_size": 1}]}
    ],
}


def plan(
    connector: int, start: datetime, minutes: int, kwh: int, charging_minutes: int
) -> Session16:
    """A session charging at a steady rate for `charging_minutes`, then parked."""
    meter = 1_000_000 + int(start.timestamp()) % 100_000  # any register value will do
    readings = []
    for minute in range(15, minutes, 15):
        done = min(minute, charging_minutes) / charging_minutes
        watts = 0 if minute >= charging_minutes else 7_000
        readings.append((timedelta(minutes=minute), meter + int(kwh * 1000 * done), watts))
    return Session16(
        connector=connector,
        id_tag="TAG-S",
        start=start,
        meter_start=meter,
        readings=readings,
        stop_after=timedelta(minutes=minutes),
        meter_stop=meter + kwh * 1000,
    )


# station → finished sessions (the charging minutes are multiples of 15: the first reading
# with power 0 is exactly where charging ends).
FINISHED = {
    "CP-A": [
        plan(1, DAY + 8 * H, 60, 10, 45),
        plan(1, DAY + 12 * H, 150, 30, 120),
        plan(2, DAY - 1 * H, 120, 5, 60),  # started the day before
        plan(2, DAY + 22 * H, 210, 18, 165),  # ends the next day
    ],
    "CP-B": [plan(1, DAY + 10 * H, 40, 4, 30)],
}
RUNNING = ("CP-C", plan(1, DAY + 18 * H, 24 * 60, 50, 24 * 60))  # never stopped
FAULT = ("CP-B", 1, DAY + 15 * H, "GroundFailure")


def _minutes(start: datetime, end: datetime) -> list[datetime]:
    return [start + i * M for i in range(int((end - start) / M))]


def expected_rows(
    window_start: datetime, window_end: datetime, key_of: Any
) -> dict[str, dict[str, Any]]:
    """Every figure from the plan, minute by minute."""
    rows: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"sessions": 0, "wh": 0, "revenue": Decimal(0), "occupied": 0, "charging": 0,
                 "lengths": [], "evse_minutes": 0, "faults": 0}
    )  # fmt: skip
    window = set(_minutes(window_start, window_end))
    for station, evses in EVSES.items():
        for _ in evses:
            for minute in window:
                rows[key_of(station, minute)]["evse_minutes"] += 1
    everything = [(s, p, True) for s, plans in FINISHED.items() for p in plans]
    everything.append((RUNNING[0], RUNNING[1], False))
    for station, session, finished in everything:
        if window_start <= session.start < window_end:
            row = rows[key_of(station, session.start)]
            row["sessions"] += 1
            # A running session counts the energy its charger reported so far.
            last = session.meter_stop if finished else session.readings[-1][1]
            row["wh"] += last - session.meter_start
            if finished:
                row["lengths"].append(session.stop_after.total_seconds() / 60)
                kwh = Decimal(session.meter_stop - session.meter_start) / 1000
                row["revenue"] += kwh * Decimal("0.40")
        end = session.stop if finished else window_end
        charging_end = session.start + next(
            (offset for offset, _, watts in session.readings if watts == 0), session.stop_after
        )
        for minute in _minutes(session.start, end):
            if minute in window:
                rows[key_of(station, minute)]["occupied"] += 1
                if finished and minute < charging_end:
                    rows[key_of(station, minute)]["charging"] += 1
    fault_station, _, fault_at, _ = FAULT
    if window_start <= fault_at < window_end:
        rows[key_of(fault_station, fault_at)]["faults"] += 1
    return rows


async def _simulate_day(node: Any) -> None:
    await add_location(node.database, id="LOC-1")
    await add_location(node.database, id="LOC-2", name="Second site")
    await add_tariff(node.database, TARIFF)
    await add_token(node.database, "TAG-S")
    for station, evses in EVSES.items():
        async with ocpp_client(node.ocpp_port, station, "1.6") as client:
            await boot_16(client)
            for evse in evses:
                await status(client, evse, "Available", DAY - 2 * H)
                await link_connector(
                    node.database,
                    station,
                    evse,
                    1,
                    location_id=LOCATION_OF[station],
                    tariff_ids=["E40"],
                )
            for session in FINISHED.get(station, []):
                transaction_id = await run_session(client, session)
                await cdr_of(node.database, transaction_id)
            if station == RUNNING[0]:
                await start_session(client, RUNNING[1])
            if station == FAULT[0]:
                await status(client, FAULT[1], "Faulted", FAULT[2], error=FAULT[3])


def _check(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    assert actual["sessions"] == expected["sessions"]
    assert actual["energy_kwh"] == pytest.approx(expected["wh"] / 1000)
    revenue = [(r["currency"], r["excl_vat"], r["incl_vat"]) for r in actual["revenue"]]
    if expected["revenue"]:
        excl = float(expected["revenue"])
        assert revenue == [("EUR", pytest.approx(excl), pytest.approx(excl * 1.25))]
    else:
        assert revenue == []
    lengths = expected["lengths"]
    assert actual["average_session_minutes"] == (
        pytest.approx(sum(lengths) / len(lengths)) if lengths else None
    )
    assert actual["occupied_hours"] == pytest.approx(expected["occupied"] / 60, abs=0.001)
    assert actual["charging_hours"] == pytest.approx(expected["charging"] / 60, abs=0.001)
    assert actual["evse_hours"] == pytest.approx(expected["evse_minutes"] / 60)
    assert actual["occupancy"] == pytest.approx(
        expected["occupied"] / expected["evse_minutes"], abs=0.0001
    )
    assert actual["faults"] == expected["faults"]


async def test_a_simulated_day_by_station_location_and_day(db_settings: DatabaseSettings) -> None:
    settings = node_settings(db_settings, http={"admin_token": ADMIN_TOKEN})
    async with running_node(settings) as node:
        await _simulate_day(node)
        day_window = {"from": "2025-05-06", "to": "2025-05-07"}
        code, by_station, _ = await admin(
            node, "GET", "/stats?" + _qs(day_window | {"by": "station"})
        )
        assert code == 200, by_station
        _, by_location, _ = await admin(
            node, "GET", "/stats?" + _qs(day_window | {"by": "location"})
        )
        two_days = {"from": "2025-05-06", "to": "2025-05-08", "by": "day"}
        _, by_day, _ = await admin(node, "GET", "/stats?" + _qs(two_days))

    day_end = DAY + 24 * H
    expected = expected_rows(DAY, day_end, lambda station, _minute: station)
    assert [r["key"] for r in by_station["rows"]] == sorted(expected)
    for row in by_station["rows"]:
        _check(row, expected[row["key"]])
    assert by_station["rows"][1]["error_codes"] == {"GroundFailure": 1}  # CP-B

    where = expected_rows(DAY, day_end, lambda station, _minute: LOCATION_OF[station] or "(none)")
    assert [r["key"] for r in by_location["rows"]] == ["(none)", "LOC-1", "LOC-2"]
    for row in by_location["rows"]:
        _check(row, where[row["key"]])

    daily = expected_rows(DAY, DAY + 48 * H, lambda _station, minute: minute.date().isoformat())
    assert [r["key"] for r in by_day["rows"]] == ["2025-05-06", "2025-05-07"]
    for row in by_day["rows"]:
        _check(row, daily[row["key"]])
    _check(by_station["total"], _sum(expected.values()))


def _sum(rows: Any) -> dict[str, Any]:
    total: dict[str, Any] = {
        "sessions": 0, "wh": 0, "revenue": Decimal(0), "occupied": 0,
        "charging": 0, "lengths": [], "evse_minutes": 0, "faults": 0,
    }  # fmt: skip
    for row in rows:
        for key, value in row.items():
            total[key] = total[key] + value
    return total


def _qs(query: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(query)
