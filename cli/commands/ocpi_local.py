"""Roaming operator actions run against the database when the server is down.

Imports, links and invitations are provisioning: operators do them before the first
`csms serve` too. Like `cli/local.py`, a write first brings the schema up to date. What
the server would push to partners is not pushed; they see it on their next pull.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from cli.context import run_async
from cli.errors import CliError, NotFoundError
from shared.config import Settings

__all__ = ["run_locally"]

T = TypeVar("T")


def run_locally(settings: Settings, action: Callable[..., Awaitable[T]]) -> T:
    """Run `action(services)` with `OcpiServices` over the configured database."""
    from ocpi_gateway.services import OcpiServices
    from ocpi_gateway.v221.operator import DocumentError
    from shared.store.database import Database
    from shared.store.location_links import LinkError
    from shared.store.migrate import upgrade_database
    from shared.store.writer import BatchWriter

    async def main() -> T:
        database = Database(settings.database)
        writer = BatchWriter(database, None)
        try:
            await upgrade_database(database)
            writer.start()
            return await action(OcpiServices(settings, database, writer))
        finally:
            await writer.aclose()
            await database.dispose()

    try:
        return run_async(main())
    except DocumentError as error:
        raise CliError(str(error)) from None
    except LinkError as error:
        raise NotFoundError(str(error)) from None
