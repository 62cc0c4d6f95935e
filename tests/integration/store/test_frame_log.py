from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from shared.store.database import Database
from shared.store.frame_log import purge_frames_before
from shared.store.tables import ocpp_messages


async def test_purge_removes_only_old_frames(database: Database) -> None:
    now = datetime.now(UTC)
    rows = [
        {
            "station_id": "CP",
            "direction": "in",
            "message_type": 2,
            "message_id": str(n),
            "action": "Heartbeat",
            "timestamp": now - timedelta(days=40 if n % 2 else 1),
            "frame": "[2]",
        }
        for n in range(12)
    ]
    async with database.begin() as conn:
        await conn.execute(insert(ocpp_messages), rows)
    removed = await purge_frames_before(database, now - timedelta(days=30))
    assert removed == 6
    async with database.read() as conn:
        left = (await conn.execute(select(func.count()).select_from(ocpp_messages))).scalar_one()
    assert left == 6
