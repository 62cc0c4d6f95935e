"""OCPI 2.2.1 *Versions* module (version_information_endpoint).

Two enums are open-ended on input, on purpose:

- `Endpoint.identifier` also takes a custom module ID: the spec allows parties
  to extend ModuleID with their own (*Custom Modules*, e.g. ``nltnm-tokens``).
- `Version.version` also takes a version this enum does not list (e.g.
  ``2.3.0``): the VersionNumber enum names the versions 2.2.1 knew of, and a
  partner's versions list will name later ones. Refusing them would make us
  unable to read the whole list.

Known values still come back as enum members.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .base import OcpiEnum, OcpiModel, OpenEnum
from .primitives import URL

__all__ = [
    "Endpoint",
    "InterfaceRole",
    "ModuleID",
    "Version",
    "VersionDetails",
    "VersionNumber",
]


class VersionNumber(OcpiEnum):
    """*VersionNumber* enum: the OCPI versions known to 2.2.1."""

    V2_0 = "2.0"
    V2_1 = "2.1"
    V2_1_1 = "2.1.1"
    V2_2 = "2.2"
    V2_2_1 = "2.2.1"


class ModuleID(OcpiEnum):
    """*ModuleID* enum: the modules of OCPI 2.2.1."""

    CDRS = "cdrs"
    CHARGING_PROFILES = "chargingprofiles"
    COMMANDS = "commands"
    CREDENTIALS = "credentials"
    HUB_CLIENT_INFO = "hubclientinfo"
    LOCATIONS = "locations"
    SESSIONS = "sessions"
    TARIFFS = "tariffs"
    TOKENS = "tokens"


class InterfaceRole(OcpiEnum):
    """*InterfaceRole* enum."""

    SENDER = "SENDER"
    RECEIVER = "RECEIVER"


#: A known version, or another one as a partner may list it (e.g. "2.3.0").
AnyVersionNumber = Annotated[VersionNumber | str, OpenEnum(VersionNumber, 255)]
#: A known module, or a custom module ID (advised prefix: e.g. ``nltnm-tokens``).
AnyModuleID = Annotated[ModuleID | str, OpenEnum(ModuleID, 255)]


class Version(OcpiModel):
    """*Version* class: one entry of the versions list."""

    version: AnyVersionNumber
    """The version number."""
    url: URL
    """Where this version's details are."""


class Endpoint(OcpiModel):
    """*Endpoint* class: one module interface of a version."""

    identifier: AnyModuleID
    """Endpoint identifier."""
    role: InterfaceRole
    """Whether this is the sender or receiver interface (moot for credentials)."""
    url: URL
    """URL to the endpoint."""


class VersionDetails(OcpiModel):
    """The *Data* of the version details endpoint."""

    version: AnyVersionNumber
    """The version number."""
    endpoints: Annotated[list[Endpoint], Field(min_length=1)]
    """The module interfaces offered, at least one."""
