"""What the gateway needs from the node, and who we are on the OCPI side.

`OcpiServices` is built by the composition root (`cli/node.py`) and handed to
`create_ocpi_app`; handlers reach it through the app key `SERVICES` (see `app.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from shared.commands import CommandService
from shared.config import Settings
from shared.domain.partners import party_key
from shared.events import EventBus
from shared.store.database import Database
from shared.store.writer import BatchWriter

__all__ = ["OcpiIdentity", "OcpiServices", "utc_now"]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class OcpiIdentity:
    """The party we are (CPO) and where partners reach us."""

    country_code: str
    party_id: str
    business_name: str
    public_url: str

    @property
    def key(self) -> str:
        return party_key(self.country_code, self.party_id)

    @property
    def base_url(self) -> str:
        """`{public_url}/ocpi`: the root every OCPI URL we publish starts with."""
        return self.public_url.rstrip("/") + "/ocpi"

    @property
    def versions_url(self) -> str:
        """The versions endpoint we hand out (DESIGN.md: `{public_url}/ocpi/versions`)."""
        return self.base_url + "/versions"

    def is_us(self, country_code: str, party_id: str) -> bool:
        """True when `country_code`/`party_id` names us (compared as CiStrings)."""
        return party_key(country_code, party_id) == self.key

    @classmethod
    def from_settings(cls, settings: Settings) -> OcpiIdentity:
        ocpi = settings.ocpi
        return cls(
            country_code=ocpi.country_code.upper(),
            party_id=ocpi.party_id.upper(),
            business_name=ocpi.business_name,
            public_url=ocpi.public_url,
        )


@dataclass(frozen=True, slots=True)
class OcpiServices:
    """The node's parts the gateway uses."""

    settings: Settings
    database: Database
    writer: BatchWriter
    bus: EventBus | None = None
    clock: Callable[[], datetime] = field(default=utc_now)
    #: The command service (`shared.commands`): the commands and chargingprofiles
    #: receivers relay partners' requests to chargers through it (None: they answer 2000).
    commands: CommandService | None = None

    @property
    def identity(self) -> OcpiIdentity:
        return OcpiIdentity.from_settings(self.settings)
