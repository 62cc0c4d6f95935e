"""Background housekeeping of the OCPP side: frame log retention."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from shared.config import OcppSettings
from shared.logging import get_logger
from shared.store.database import Database
from shared.store.frame_log import purge_frames_before

__all__ = ["FrameLogRetention"]

log = get_logger("csms.maintenance")


class FrameLogRetention:
    """Deletes frames older than `[ocpp] frame_log_retention_days` once an hour."""

    def __init__(self, database: Database, settings: OcppSettings, every_s: float = 3600) -> None:
        self._database = database
        self._settings = settings
        self._every_s = every_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._settings.frame_log_retention_days > 0 and self._task is None:
            self._task = asyncio.create_task(self._loop(), name="csms.frame_log_retention")

    async def run_once(self) -> int:
        cutoff = datetime.now(UTC) - timedelta(days=self._settings.frame_log_retention_days)
        removed = await purge_frames_before(self._database, cutoff)
        if removed:
            log.info("ocpp.frame_log.purged", rows=removed, before=cutoff.isoformat())
        return removed

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("ocpp.frame_log.purge_failed")
            await asyncio.sleep(self._every_s)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
