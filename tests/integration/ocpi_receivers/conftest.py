"""Fixtures of the OCPI integration tests (gateway on a real socket, fake partner), reused."""

from tests.integration.ocpi.conftest import gateway, partner, registered

__all__ = ["gateway", "partner", "registered"]
