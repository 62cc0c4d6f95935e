"""The statistics of a simulated day, driven through the real OCPP path, against figures the
test works out on its own, minute by minute (not by intervals): sessions, energy, revenue and
charging time from the plan of the day; occupancy and faults from the raw status rows the
node stored (themselves checked against what the chargers sent)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from shared.config import DatabaseSettings
from shared.store.tables import connector_status_history
from tests.harness import node_settings, ocpp_client, running_node
from tests.integration.billing.helpers import (
    add_location,
    add_tariff,
    boot_16,
    cdr_of,
    link_connector,
)
from tests.integration.billing.sessions import Sent, Session16, status, visit
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
# with power 0 is exactly where charging ends, and where the charger says SuspendedEV).
FINISHED = {
    "CP-A": [
        plan(1, DAY + 8 * H, 60, 10, 45),
        plan(1, DAY + 12 * H, 150, 30, 120),
        plan(2, DAY - 1 * H, 120, 5, 45),  # started (and charged) the day before
        plan(2, DAY + 22 * H, 210, 18, 165),  # ends the next day
    ],
    "CP-B": [plan(1, DAY + 10 * H, 40, 4, 30)],
}
RUNNING = ("CP-C", plan(1, DAY + 18 * H, 24 * 60, 50, 24 * 60))  # never stopped
# (station, connector, charger time, status, error code): faults, cleared and repeated.
FAULTS = [
    ("CP-B", 1, DAY + 15 * H, "Faulted", "GroundFailure"),
    ("CP-B", 1, DAY + 15 * H + 20 * M, "Available", "NoError"),
    ("CP-B", 1, DAY + 16 * H, "Faulted", "HighTemperature"),
    ("CP-B", 1, DAY + 16 * H + 2 * M, "Faulted", "HighTemperature"),  # the same fault again
    ("CP-B", 1, DAY + 16 * H + 5 * M, "Available", "NoError"),
    ("CP-A", 0, DAY + 20 * H, "Faulted", "PowerMeterFailure"),  # the charge point as a whole
    ("CP-A", 0, DAY + 20 * H + 10 * M, "Available", "NoError"),
]


def _minutes(start: datetime, end: datetime) -> list[datetime]:
    return [start + i * M for i in range(int((end - start) / M))]


def _empty_row() -> dict[str, Any]:
    return {"sessions": 0, "wh": 0, "revenue": Decimal(0), "occupied": 0, "charging": 0,
            "lengths": [], "evse_minutes": 0, "faults": 0, "error_codes": Counter()}  # fmt: skip


def expected_rows(
    window_start: datetime, window_end: datetime, key_of: Any, history: list[Any]
) -> dict[str, dict[str, Any]]:
    """Every figure, minute by minute: sessions, energy, revenue and charging from the plan;
    occupancy and faults from the raw status rows the node stored (`history`)."""
    rows: dict[str, dict[str, Any]] = defaultdict(_empty_row)
    window = _minutes(window_start, window_end)
    for station, evses in EVSES.items():
        for evse in evses:
            said = sorted(
                (r for r in history if (r.station_id, r.evse_id) == (station, evse)),
                key=lambda r: (r.timestamp, r.id),
            )
            for minute in window:
                row = rows[key_of(station, minute)]
                row["evse_minutes"] += 1
                now = [r for r in said if r.timestamp <= minute]
                row["occupied"] += bool(now) and now[-1].status == "Occupied"
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
        charging_end = session.start + (session.charging_until or session.stop_after)
        for minute in _minutes(session.start, charging_end):
            if finished and window_start <= minute < window_end:
                rows[key_of(station, minute)]["charging"] += 1
    _expected_faults(rows, window_start, window_end, key_of, history)
    return rows


def _expected_faults(
    rows: dict[str, dict[str, Any]], start: datetime, end: datetime, key_of: Any, history: Any
) -> None:
    before: dict[tuple[str, int, int], str] = {}
    for r in sorted(history, key=lambda r: (r.timestamp, r.id)):
        connector = (r.station_id, r.evse_id, r.connector_id)
        if (
            r.status == "Faulted"
            and before.get(connector) != "Faulted"
            and start <= r.timestamp < end
        ):
            rows[key_of(r.station_id, r.timestamp)]["faults"] += 1
            rows[key_of(r.station_id, r.timestamp)]["error_codes"][r.error_code] += 1
        before[connector] = r.status


async def _simulate_day(node: Any) -> list[tuple[str, int, str, datetime, str]]:
    """The day through the OCPP path; every status sent: (station, connector, status, time,
    error code)."""
    await add_location(node.database, id="LOC-1")
    await add_location(node.database, id="LOC-2", name="Second site")
    await add_tariff(node.database, TARIFF)
    await add_token(node.database, "TAG-S")
    sent: list[tuple[str, int, str, datetime, str]] = []
    for station, evses in EVSES.items():
        by_station: list[Sent] = []
        async with ocpp_client(node.ocpp_port, station, "1.6") as client:
            await boot_16(client)
            for evse in evses:
                await status(client, evse, "Available", DAY - 2 * H, sent=by_station)
                await link_connector(
                    node.database,
                    station,
                    evse,
                    1,
                    location_id=LOCATION_OF[station],
                    tariff_ids=["E40"],
                )
            for session in FINISHED.get(station, []):
                transaction_id = await visit(client, session, by_station)
                await cdr_of(node.database, transaction_id)
            if station == RUNNING[0]:
                await visit(client, RUNNING[1], by_station, stop=False)
            for fault_station, connector, at, word, error in FAULTS:
                if fault_station == station:
                    await status(client, connector, word, at, error, sent=by_station)
        sent += [(station, c, word, at, error) for c, word, at, error in by_station]
    return sent


async def _history(node: Any) -> list[Any]:
    async with node.database.read() as conn:
        return list(await conn.execute(select(connector_status_history)))


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
    assert actual["error_codes"] == dict(expected["error_codes"])


async def test_a_simulated_day_by_station_location_and_day(db_settings: DatabaseSettings) -> None:
    settings = node_settings(db_settings, http={"admin_token": ADMIN_TOKEN})
    async with running_node(settings) as node:
        sent = await _simulate_day(node)
        history = await _history(node)
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
        _, at_loc_1, _ = await admin(
            node, "GET", "/stats?" + _qs(day_window | {"by": "station", "location_id": "LOC-1"})
        )
        _, of_cp_b, _ = await admin(
            node, "GET", "/stats?" + _qs(day_window | {"by": "location", "station_id": "CP-B"})
        )

    # The raw rows are what the chargers said, one per StatusNotification (1.6 connector N
    # is EVSE N with connector 1; connector 0 is EVSE 0).
    assert sorted(
        (r.station_id, r.evse_id, r.ocpp_status, r.timestamp, r.error_code or "NoError")
        for r in history
    ) == sorted((s, c, word, at, error) for s, c, word, at, error in sent)
    assert {r.connector_id for r in history if r.evse_id > 0} == {1}

    day_end = DAY + 24 * H
    expected = expected_rows(DAY, day_end, lambda station, _minute: station, history)
    assert [r["key"] for r in by_station["rows"]] == sorted(expected)
    for row in by_station["rows"]:
        _check(row, expected[row["key"]])
    assert by_station["rows"][1]["error_codes"] == {"GroundFailure": 1, "HighTemperature": 1}
    assert by_station["rows"][0]["faults"] == 1  # CP-A's charge point as a whole

    where = expected_rows(
        DAY, day_end, lambda station, _minute: LOCATION_OF[station] or "(none)", history
    )
    assert [r["key"] for r in by_location["rows"]] == ["(none)", "LOC-1", "LOC-2"]
    for row in by_location["rows"]:
        _check(row, where[row["key"]])

    # Narrowed to one location or station, the same figures (the charge point's own fault
    # belongs to the location of its EVSEs).
    assert [r["key"] for r in at_loc_1["rows"]] == ["CP-A"]
    _check(at_loc_1["rows"][0], expected["CP-A"])
    assert [r["key"] for r in of_cp_b["rows"]] == ["LOC-2"]
    _check(of_cp_b["rows"][0], where["LOC-2"])

    daily = expected_rows(
        DAY, DAY + 48 * H, lambda _station, minute: minute.date().isoformat(), history
    )
    assert [r["key"] for r in by_day["rows"]] == ["2025-05-06", "2025-05-07"]
    for row in by_day["rows"]:
        _check(row, daily[row["key"]])
    _check(by_station["total"], _sum(expected.values()))


def _sum(rows: Any) -> dict[str, Any]:
    total = _empty_row()
    for row in rows:
        for key, value in row.items():
            total[key] = total[key] + value
    return total


def _qs(query: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(query)
