"""Version details of 2.2.1 (version_information_endpoint, *Version details endpoint*)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ocpi_gateway.routing import Handler, OcpiRequest, OcpiResult
from ocpi_gateway.v221.models import Endpoint, InterfaceRole, VersionDetails

if TYPE_CHECKING:
    from ocpi_gateway.versions import VersionSpec

__all__ = ["details_handler"]


def details_handler(spec: VersionSpec) -> Handler:
    """GET `/ocpi/2.2.1`: every module interface of `spec` with its role and URL."""

    async def get_details(request: OcpiRequest) -> OcpiResult:
        identity = request.services.identity
        details = VersionDetails(
            version=spec.number,
            endpoints=[
                Endpoint(
                    identifier=module.identifier,
                    role=InterfaceRole(module.role),
                    url=spec.module_url(identity, module),
                )
                for module in spec.modules
            ],
        )
        return OcpiResult(details)

    return get_details
