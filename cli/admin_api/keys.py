"""What the operator API's handlers share, stored on the app under a typed key."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from shared.commands import CommandService
from shared.config import Settings
from shared.store.database import Database
from shared.store.writer import BatchWriter

__all__ = ["SERVICES", "AdminServices"]


@dataclass(frozen=True, slots=True)
class AdminServices:
    """The node's parts the operator API uses."""

    settings: Settings
    database: Database
    writer: BatchWriter
    commands: CommandService | None = None  # None: this node sends no commands


SERVICES = web.AppKey("admin_services", AdminServices)
