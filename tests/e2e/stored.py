"""What the server stored and shows: database reads and `csms … --json` reads."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from shared.store.tables import meter_values, ocpp_messages, transaction_events, transactions
from tests.e2e.chain import ENERGY, Chain, eventually, parse_time
from tests.harness import open_database

__all__ = [
    "completed_session",
    "incoming_actions",
    "stored_energy",
    "stored_seq_nos",
    "stored_transaction",
]


async def stored_transaction(chain: Chain, station_id: str, ref: str) -> Any:
    """The transactions row of `ref` (the id as the charger knows it) at `station_id`."""
    async with open_database(chain.database) as conn:
        query = select(transactions).where(
            transactions.c.station_id == station_id, transactions.c.transaction_ref == ref
        )
        return (await conn.execute(query)).one()


async def stored_energy(chain: Chain, transaction_id: int) -> list[tuple[Any, float]]:
    """(timestamp, Wh) of every stored energy register reading of the transaction."""
    async with open_database(chain.database) as conn:
        rows = await conn.execute(
            select(meter_values.c.timestamp, meter_values.c.value)
            .where(
                meter_values.c.transaction_id == transaction_id,
                meter_values.c.measurand == ENERGY,
                meter_values.c.phase.is_(None),
            )
            .order_by(meter_values.c.timestamp)
        )
        return [(parse_time(stamp), value) for stamp, value in rows]


async def stored_seq_nos(chain: Chain, transaction_id: int) -> list[tuple[int, bool]]:
    """(seqNo, offline) of every stored 2.0.1 TransactionEvent of the transaction."""
    async with open_database(chain.database) as conn:
        rows = await conn.execute(
            select(transaction_events.c.seq_no, transaction_events.c.offline)
            .where(transaction_events.c.transaction_id == transaction_id)
            .order_by(transaction_events.c.seq_no)
        )
        return [(seq_no, bool(offline)) for seq_no, offline in rows]


async def incoming_actions(chain: Chain, station_id: str) -> list[str]:
    """The actions of the CALLs the station sent, in the order the server logged them."""
    async with open_database(chain.database) as conn:
        rows = await conn.execute(
            select(ocpp_messages.c.action)
            .where(
                ocpp_messages.c.station_id == station_id,
                ocpp_messages.c.direction == "in",
                ocpp_messages.c.message_type == 2,
            )
            .order_by(ocpp_messages.c.id)
        )
        return [action for (action,) in rows]


async def completed_session(chain: Chain, station_id: str) -> dict[str, Any]:
    """The station's session as `csms sessions list --json` shows it, once completed."""

    async def stored() -> bool:
        async with open_database(chain.database) as conn:
            query = select(transactions.c.status).where(transactions.c.station_id == station_id)
            return [status for (status,) in await conn.execute(query)] == ["completed"]

    await eventually(stored, 30, f"the session at {station_id} completed", every=0.2)
    sessions = await chain.csms_json("sessions", "list")
    mine = [s for s in sessions if s["station_id"] == station_id]
    assert len(mine) == 1, json.dumps(sessions, indent=1)
    return dict(mine[0])
