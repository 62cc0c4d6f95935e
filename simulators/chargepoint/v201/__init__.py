"""OCPP 2.0.1: the station's messages (`Dialect201`) and its request handlers."""

from .dialect import Dialect201

__all__ = ["Dialect201"]
