"""Roaming partners: the platforms (eMSPs, hubs, …) we exchange OCPI data with.

Protocol-free: a partner is a name, a registration state, the parties it hosts (`PartyRole`)
and the module interfaces it offers (`PartnerEndpoint`). The secrets are kept apart
(`PartnerSecrets`), so a `Partner` can be shown and logged freely.

Registration is a small state machine (credentials module, *Registration*):

```
            invite (Token A issued)            partner POSTs credentials
   ──────▶ INVITED ────────────────────────────────────────────────▶ REGISTERED
                                                                       │  ▲
   connect (we POST our credentials) ─────────────────────────────────┘  │ PUT
                                                                       │
                                        partner DELETEs / operator removes
                                                                       ▼
                                                                   UNREGISTERED
```
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = [
    "Partner",
    "PartnerEndpoint",
    "PartnerSecrets",
    "PartnerStatus",
    "PartyRole",
    "party_key",
]


class PartnerStatus(StrEnum):
    """Where a partner stands in the registration state machine."""

    INVITED = "invited"
    REGISTERED = "registered"
    UNREGISTERED = "unregistered"
    SUSPENDED = "suspended"


def party_key(country_code: str, party_id: str) -> str:
    """`CC*PID`, upper-cased: how a party is named in `id_tokens.source` and in logs.

    Country codes and party ids compare case-insensitively (OCPI CiString), so the key is
    upper-cased.
    """
    return f"{country_code.upper()}*{party_id.upper()}"


@dataclass(frozen=True, slots=True)
class PartyRole:
    """One party a partner's platform hosts, in one role (CPO, EMSP, HUB, …)."""

    role: str
    country_code: str
    party_id: str
    name: str = ""
    website: str | None = None

    @property
    def key(self) -> str:
        return party_key(self.country_code, self.party_id)


@dataclass(frozen=True, slots=True)
class PartnerEndpoint:
    """One module interface the partner offers: e.g. `sessions` RECEIVER at a URL."""

    module: str
    role: str  # SENDER | RECEIVER
    url: str


@dataclass(frozen=True, slots=True)
class Partner:
    """A roaming partner as the store knows it (no secrets)."""

    id: int
    name: str
    status: PartnerStatus
    roles: tuple[PartyRole, ...] = ()
    endpoints: tuple[PartnerEndpoint, ...] = ()
    versions_url: str | None = None
    version: str | None = None
    outgoing_token_base64: bool = True
    replay_missed: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def is_hub(self) -> bool:
        """True when the partner is a hub (a hub reports itself in the HUB role only)."""
        return any(role.role == "HUB" for role in self.roles)

    @property
    def party(self) -> PartyRole | None:
        """The partner's first party, the one shown to operators."""
        return self.roles[0] if self.roles else None

    def endpoint(self, module: str, role: str = "RECEIVER") -> PartnerEndpoint | None:
        """The partner's interface for `module` in `role`, if it offers one."""
        for endpoint in self.endpoints:
            if endpoint.module == module and endpoint.role == role:
                return endpoint
        return None

    def hosts(self, country_code: str, party_id: str) -> bool:
        """True when the party `country_code`/`party_id` is one of the partner's roles."""
        wanted = party_key(country_code, party_id)
        return any(role.key == wanted for role in self.roles)


@dataclass(frozen=True, slots=True)
class PartnerSecrets:
    """What we must keep secret about a partner: the token we present to it."""

    outgoing_token: str | None = None
