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
    """CPO or eMSP ID of this party, as used in the credentials exchange."""
    country_code: CiString2
    """Country code of this party, as used in the credentials exchange."""
    role: Role
    """The role of the connected party."""
    status: ConnectionStatus
    """Status of the connection to the party."""
    last_updated: DateTime
    """Timestamp when this ClientInfo object was last updated."""
