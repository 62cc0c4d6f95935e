"""OCPI 2.2.1 as one `VersionSpec`: its number, its modules and its details handler."""

from __future__ import annotations

from ocpi_gateway.v221.modules import load_modules
from ocpi_gateway.v221.modules.versions import details_handler
from ocpi_gateway.versions import VersionSpec

__all__ = ["VERSION"]

VERSION = VersionSpec(number="2.2.1", modules=load_modules(), details=details_handler)
