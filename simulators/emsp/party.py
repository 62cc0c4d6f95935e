"""Who the simulated eMSP is, and what it knows about the CPO it is connected to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .wire import JsonObject

__all__ = ["OUR_MODULES", "VERSION", "PartyState"]

VERSION = "2.2.1"

#: The eMSP's endpoints: module identifier -> interface role (version details).
OUR_MODULES: dict[str, str] = {
    "credentials": "SENDER",  # version_information_endpoint: SENDER advised for credentials
    "locations": "RECEIVER",
    "sessions": "RECEIVER",
    "cdrs": "RECEIVER",
    "tariffs": "RECEIVER",
    "tokens": "SENDER",
    "commands": "SENDER",
    "chargingprofiles": "SENDER",
}


@dataclass(slots=True)
class PartyState:
    """Our identity and the CPO's, tokens both ways, the CPO's endpoints."""

    country_code: str
    party_id: str
    business_name: str
    base_url: str = ""  # http://host:port, set once the server listens
    incoming_tokens: set[str] = field(default_factory=set)  # Token B (CPO -> us)
    invite_tokens: set[str] = field(default_factory=set)  # Token A we issued
    outgoing_token: str | None = None  # Token C (us -> CPO), or Token A while registering
    cpo_versions_url: str | None = None
    cpo_version_url: str | None = None
    cpo_endpoints: dict[tuple[str, str], str] = field(default_factory=dict)
    cpo_roles: list[JsonObject] = field(default_factory=list)
    registered: bool = False

    @property
    def versions_url(self) -> str:
        return f"{self.base_url}/ocpi/emsp/versions"

    @property
    def version_url(self) -> str:
        return f"{self.base_url}/ocpi/emsp/{VERSION}"

    def module_url(self, module: str) -> str:
        return f"{self.version_url}/{module}"

    def credentials(self, token: str) -> JsonObject:
        """Our Credentials object carrying `token` for the CPO to use."""
        return {
            "token": token,
            "url": self.versions_url,
            "roles": [
                {
                    "role": "EMSP",
                    "business_details": {"name": self.business_name},
                    "party_id": self.party_id,
                    "country_code": self.country_code,
                }
            ],
        }

    def endpoint(self, identifier: str, role: str) -> str:
        """The CPO's URL for `identifier` in `role`; KeyError when it has none."""
        return self.cpo_endpoints[(identifier, role)]

    def has_endpoint(self, identifier: str, role: str) -> bool:
        return (identifier, role) in self.cpo_endpoints

    @property
    def cpo_party(self) -> tuple[str, str] | None:
        """The (country_code, party_id) of the CPO role the CPO registered with."""
        for role in self.cpo_roles:
            if role.get("role") == "CPO":
                return str(role["country_code"]), str(role["party_id"])
        if self.cpo_roles:
            return str(self.cpo_roles[0]["country_code"]), str(self.cpo_roles[0]["party_id"])
        return None

    def is_cpo_party(self, country_code: Any, party_id: Any) -> bool:
        """True when the party is one of the CPO's credential roles (case-insensitive)."""
        wanted = (str(country_code).upper(), str(party_id).upper())
        return any(
            (str(r.get("country_code", "")).upper(), str(r.get("party_id", "")).upper()) == wanted
            for r in self.cpo_roles
        )

    def forget_cpo(self) -> None:
        """Unregistered: drop every token and endpoint of the CPO."""
        self.incoming_tokens.clear()
        self.outgoing_token = None
        self.cpo_endpoints.clear()
        self.cpo_roles.clear()
        self.cpo_version_url = None
        self.registered = False
