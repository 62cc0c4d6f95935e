"""Billing's background work in a node: the running-cost tracker and the CDR worker.

The node (`cli/node.py`) builds one `BillingServices`, starts it before the OCPP server (so
the first sessions' events are heard) and closes it before the writer. Its settings come
from the `[billing]` section when the configuration has one, else from the defaults below;
the CDR issuer is the node's OCPI identity (`[ocpi] country_code`, `party_id`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared.billing.cdr_worker import CdrWorker
from shared.billing.cdrs import CdrIssuer
from shared.billing.costs import SessionCostTracker
from shared.config import Settings
from shared.events import EventBus
from shared.store.database import Database
from shared.store.writer import BatchWriter

if TYPE_CHECKING:
    from shared.commands import CommandService

__all__ = ["BillingOptions", "BillingServices", "billing_options"]


@dataclass(frozen=True, slots=True)
class BillingOptions:
    """How often billing works, and the currency of free sessions' CDRs."""

    currency: str = "EUR"
    cost_interval_seconds: float = 10.0
    cost_refresh_seconds: float = 60.0
    cost_updated_seconds: float = 60.0
    cdr_scan_seconds: float = 300.0
    cdr_settle_seconds: float = 600.0


def billing_options(settings: Settings) -> BillingOptions:
    """The `[billing]` settings, or the defaults while the configuration has no such section."""
    section = getattr(settings, "billing", None)
    if section is None:
        return BillingOptions()
    defaults = BillingOptions()
    return BillingOptions(
        **{
            name: getattr(section, name, getattr(defaults, name))
            for name in BillingOptions.__dataclass_fields__
        }
    )


class BillingServices:
    """The tracker and the worker, started and stopped together."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        writer: BatchWriter,
        bus: EventBus,
        commands: CommandService | None = None,
    ) -> None:
        options = billing_options(settings)
        self.issuer = CdrIssuer(
            settings.ocpi.country_code.upper(), settings.ocpi.party_id.upper(), options.currency
        )
        self.costs = SessionCostTracker(
            database,
            writer,
            bus,
            interval=options.cost_interval_seconds,
            refresh=options.cost_refresh_seconds,
            commands=commands,
            cost_updated_interval=options.cost_updated_seconds,
        )
        self.cdrs = CdrWorker(
            database,
            writer,
            bus,
            self.issuer,
            scan_interval=options.cdr_scan_seconds,
            settle_seconds=options.cdr_settle_seconds,
        )

    def start(self) -> None:
        self.costs.start()
        self.cdrs.start()

    async def aclose(self) -> None:
        await self.cdrs.aclose()
        await self.costs.aclose()
