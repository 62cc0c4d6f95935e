"""Definitions shared by the OCPP-J modules: protocol versions and the JSON object type."""

from __future__ import annotations

from typing import Any, Final, Literal, TypeAlias, get_args

__all__ = ["VERSIONS", "JsonObject", "OcppVersion", "check_version"]

#: An OCPP version this package speaks, spelled as in the ``ocpp1.6`` / ``ocpp2.0.1`` subprotocols.
OcppVersion: TypeAlias = Literal["1.6", "2.0.1"]

#: Every supported version, oldest first.
VERSIONS: Final[tuple[OcppVersion, ...]] = get_args(OcppVersion)

#: A decoded JSON object as it comes off the wire: payloads, error details.
JsonObject: TypeAlias = dict[str, Any]


def check_version(version: str) -> OcppVersion:
    """Return ``version`` typed as an :data:`OcppVersion`, or raise ``ValueError``."""
    if version == "1.6":
        return "1.6"
    if version == "2.0.1":
        return "2.0.1"
    raise ValueError(f"unsupported OCPP version {version!r}; expected one of {VERSIONS}")
