"""The OCPI versions we serve, and the versions endpoint (`/ocpi/versions`).

version_information_endpoint: the versions endpoint lists each version we implement with
the URL of its details; each version folder (`v221/`, later `v211/`, `v230/`) contributes a
`VersionSpec`: its number, its registry of modules and its details handler (the details
object differs between versions: 2.1.1 has no interface roles).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ocpi_gateway.routing import Handler, ModuleSpec, OcpiRequest, OcpiResult
from ocpi_gateway.services import OcpiIdentity

__all__ = ["VersionSpec", "list_versions", "versions_handler"]


@dataclass(frozen=True, slots=True)
class VersionSpec:
    """One OCPI version: `number` (e.g. "2.2.1") and the modules we offer in it."""

    number: str
    modules: tuple[ModuleSpec, ...]
    #: Builds the version details handler from the modules (version-specific wire model).
    details: Callable[[VersionSpec], Handler]

    def url(self, identity: OcpiIdentity) -> str:
        """Where this version's details are published."""
        return f"{identity.base_url}/{self.number}"

    def module_url(self, identity: OcpiIdentity, module: ModuleSpec) -> str:
        """The public URL of `module`'s interface in this version."""
        return f"{self.url(identity)}/{module.segment}"


def list_versions(
    versions: tuple[VersionSpec, ...], identity: OcpiIdentity
) -> list[dict[str, str]]:
    """The *Data* of the versions endpoint: a Version (number, URL) per version, newest
    first. The shape is the same in every OCPI version, so it is built here."""
    ordered = sorted(versions, key=lambda spec: _version_key(spec.number), reverse=True)
    return [{"version": spec.number, "url": spec.url(identity)} for spec in ordered]


def _version_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in number.split("."))


def versions_handler(versions: tuple[VersionSpec, ...]) -> Handler:
    """GET `/ocpi/versions`."""

    async def get_versions(request: OcpiRequest) -> OcpiResult:
        return OcpiResult(list_versions(versions, request.services.identity))

    return get_versions
