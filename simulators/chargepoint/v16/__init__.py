"""OCPP 1.6J: the station's messages (`Dialect16`) and its request handlers."""

from .dialect import Dialect16

__all__ = ["Dialect16"]
