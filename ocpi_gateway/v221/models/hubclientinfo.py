"""OCPI 2.2.1 *Hub Client Info* module (mod_hub_client_info)."""

from __future__ import annotations

from .base import OcpiEnum, OcpiModel
from .common import Role
from .primitives import CiString2, CiString3, DateTime

__all__ = ["ClientInfo", "ConnectionStatus", "Role"]


class ConnectionStatus(OcpiEnum):
    """*ConnectionStatus* enum: a connected party's status at the Hub."""

    CONNECTED = "CONNECTED"
    OFFLINE = "OFFLINE"
    PLANNED = "PLANNED"
    SUSPENDED = "SUSPENDED"


class ClientInfo(OcpiModel):
    """*ClientInfo* object: a party connected to a Hub."""

    party_id: CiString3
    """The party's ID, as in its credentials."""
    country_code: CiString2
    """The party's country code, as in its credentials."""
    role: Role
    """Which role the party has."""
    status: ConnectionStatus
    """How the Hub's connection to the party stands."""
    last_updated: DateTime
    """When this entry last changed."""
