"""Billing's background work in a node: the running-cost tracker and the CDR worker.

The node (`cli/node.py`) builds one `BillingServices`, starts it before the OCPP server (so
the first sessions' events are heard) and closes it before the writer. Its settings come
from the `[billing]` section (`shared.config.BillingSettings`); the CDR issuer is the
node's OCPI identity (`[ocpi] country_code`, `party_id`).
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
    """How often billing works, and the currency of free sessions' CDRs (the defaults are
    those of `[billing]`)."""

    currency: str = "EUR"
    cost_interval_seconds: float = 10.0
    cost_refresh_seconds: float = 60.0
    cost_updated_seconds: float = 60.0
    cdr_scan_seconds: float = 300.0
    cdr_settle_seconds: float = 600.0


def billing_options(settings: Settings) -> BillingOptions:
    """The `[billing]` settings of the configuration."""
    section = settings.billing
    return BillingOptions(
        currency=section.currency.upper(),  # ISO 4217 codes are upper case
        cost_interval_seconds=section.cost_interval_seconds,
        cost_refresh_seconds=section.cost_refresh_seconds,
        cost_updated_seconds=section.cost_updated_seconds,
        cdr_scan_seconds=section.cdr_scan_seconds,
        cdr_settle_seconds=section.cdr_settle_seconds,
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
