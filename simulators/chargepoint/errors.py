"""Errors raised by the charge-point simulator.

The tree::

    SimulatorError
     ├── InvalidTransitionError   a connector event its current state does not allow
     ├── ProfileError             a charging profile the station cannot install
     └── ConfigurationError       fleet or station options that make no sense

Failures of the CSMS (CALLERRORs, timeouts, closed connections) are not raised out of a
station: they become `error` events reported to the station's observer, because a real
charger keeps running when its central system misbehaves.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "InvalidTransitionError",
    "ProfileError",
    "SimulatorError",
]


class SimulatorError(Exception):
    """Base class of every error the simulator raises."""


class InvalidTransitionError(SimulatorError):
    """A connector received an event that its transition table does not list."""


class ProfileError(SimulatorError):
    """A charging profile is malformed or not applicable where it was sent."""


class ConfigurationError(SimulatorError):
    """Station or fleet options are out of range or inconsistent."""
