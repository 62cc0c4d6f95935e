"""Driving whole 1.6 sessions on a test charger over a real socket, with the charger's clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeAlias

from tests.harness import OcppClient
from tests.integration.billing.helpers import iso, meter_values_16


@dataclass(frozen=True, slots=True)
class Session16:
    """A session as the charger will report it: when, which register readings."""

    connector: int
    id_tag: str
    start: datetime
    meter_start: int
    readings: Sequence[tuple[timedelta, int, int | None]]  # (after start, Wh, W)
    stop_after: timedelta
    meter_stop: int
    reason: str = "EVDisconnected"

    @property
    def stop(self) -> datetime:
        return self.start + self.stop_after

    @property
    def charging_until(self) -> timedelta | None:
        """When the car is full: the first reading without power (None: it never is)."""
        return next((offset for offset, _, watts in self.readings if watts == 0), None)


#: A status a test charger sent: (connector, status, charger time, error code).
Sent: TypeAlias = tuple[int, str, datetime, str]


async def status(
    client: OcppClient,
    connector: int,
    value: str,
    at: datetime,
    error: str = "NoError",
    sent: list[Sent] | None = None,
) -> None:
    """StatusNotification at charger time `at`; noted in `sent` when given."""
    if sent is not None:
        sent.append((connector, value, at, error))
    answer = await client.call(
        "StatusNotification",
        {"connectorId": connector, "errorCode": error, "status": value, "timestamp": iso(at)},
    )
    assert answer[0] == 3


async def start_session(client: OcppClient, session: Session16) -> int:
    answer = await client.call(
        "StartTransaction",
        {
            "connectorId": session.connector,
            "idTag": session.id_tag,
            "meterStart": session.meter_start,
            "timestamp": iso(session.start),
        },
    )
    transaction_id: int = answer[2]["transactionId"]
    for offset, wh, watts in session.readings:
        message = meter_values_16(
            session.connector, transaction_id, session.start + offset, wh, watts
        )
        assert (await client.call("MeterValues", message))[0] == 3
    return transaction_id


async def stop_session(client: OcppClient, session: Session16, transaction_id: int) -> None:
    answer = await client.call(
        "StopTransaction",
        {
            "transactionId": transaction_id,
            "meterStop": session.meter_stop,
            "timestamp": iso(session.stop),
            "reason": session.reason,
        },
    )
    assert answer[0] == 3


async def run_session(client: OcppClient, session: Session16) -> int:
    """Start, meter values, stop; the transaction id."""
    transaction_id = await start_session(client, session)
    await stop_session(client, session, transaction_id)
    return transaction_id


async def visit(
    client: OcppClient, session: Session16, sent: list[Sent], *, stop: bool = True
) -> int:
    """A whole visit as a 1.6 charger reports it, statuses included: Preparing when the car
    plugs in (3 min before the start), Charging, SuspendedEV when it is full, and after the
    stop Finishing, then Available when it leaves (4 min after). The transaction id."""
    connector = session.connector
    await status(client, connector, "Preparing", session.start - timedelta(minutes=3), sent=sent)
    answer = await client.call(
        "StartTransaction",
        {"connectorId": connector, "idTag": session.id_tag, "meterStart": session.meter_start,
         "timestamp": iso(session.start)},
    )  # fmt: skip
    transaction_id: int = answer[2]["transactionId"]
    await status(client, connector, "Charging", session.start + timedelta(seconds=30), sent=sent)
    for offset, wh, watts in session.readings:
        if offset == session.charging_until:
            await status(client, connector, "SuspendedEV", session.start + offset, sent=sent)
        message = meter_values_16(connector, transaction_id, session.start + offset, wh, watts)
        assert (await client.call("MeterValues", message))[0] == 3
    if stop:
        await stop_session(client, session, transaction_id)
        await status(client, connector, "Finishing", session.stop + timedelta(minutes=1), sent=sent)
        await status(client, connector, "Available", session.stop + timedelta(minutes=4), sent=sent)
    return transaction_id
