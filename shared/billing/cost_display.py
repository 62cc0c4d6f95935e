"""Showing the running cost on the charger: OCPP 2.0.1 CostUpdated (use case I03).

A station shows the cost of its transaction when its device model says so
(`TariffCostCtrlr.Enabled[Cost]`); the CSMS then sends CostUpdatedRequest with the total
*including* taxes and the charger's transaction id. `CostDisplay` sends it at most once per
`interval` seconds per session, only when the rounded total changed, through the command
service (the node holding the station sends it). The command service has no typed
CostUpdated command (`shared.domain.commands`), so it goes as a `RawCall` with the 2.0.1
payload; only 2.0.1 stations ever get it (`cost_display_enabled`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from shared.billing.codec import json_number
from shared.billing.running import RunningCost, RunningSession
from shared.logging import get_logger
from shared.store.billing_context import cost_display_enabled
from shared.store.database import Database

if TYPE_CHECKING:
    from shared.commands import CommandService

__all__ = ["CostDisplay"]

log = get_logger(__name__)

#: How long what a station's device model says about cost display is trusted.
_CACHE_SECONDS = 600.0


class CostDisplay:
    """Sends CostUpdated for sessions whose station displays costs."""

    def __init__(self, database: Database, commands: CommandService, interval: float) -> None:
        self._database = database
        self._commands = commands
        self._interval = interval
        self._shows: dict[str, tuple[bool, float]] = {}  # station → (shows costs, read at)

    async def send(
        self, changes: Sequence[tuple[RunningSession, RunningCost]], now: datetime
    ) -> None:
        """CostUpdated for each changed cost that is due and shown by its station."""
        from shared.domain.commands import RawCall

        for session, cost in changes:
            if not self._due(session, cost, now) or not await self._shows_costs(cost.station_id):
                continue
            rounded = cost.rounded
            total = rounded.incl_vat if rounded.incl_vat is not None else rounded.excl_vat
            command = RawCall(
                action="CostUpdated",
                payload={"totalCost": json_number(total), "transactionId": session.transaction_ref},
            )
            try:
                await self._commands.submit(cost.station_id, command, "billing")
            except Exception:
                log.exception("billing.cost_updated.failed", station_id=cost.station_id)
                continue
            session.sent_to_station, session.sent_to_station_at = rounded, now

    def _due(self, session: RunningSession, cost: RunningCost, now: datetime) -> bool:
        if session.sent_to_station == cost.rounded:
            return False
        last = session.sent_to_station_at
        return last is None or (now - last).total_seconds() >= self._interval

    async def _shows_costs(self, station_id: str) -> bool:
        known = self._shows.get(station_id)
        if known is not None and time.monotonic() - known[1] < _CACHE_SECONDS:
            return known[0]
        async with self._database.read() as conn:
            enabled = await cost_display_enabled(conn, station_id)
        self._shows[station_id] = (enabled, time.monotonic())
        return enabled
