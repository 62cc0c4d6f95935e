"""The OCPI 2.2.1 documents `make demo` imports: one location and one tariff.

They are ordinary import files (`csms locations import`, `csms tariffs import`): copy and
edit them to try your own. The location has no EVSEs; the demo links its simulated
stations to it, which publishes their EVSEs with live status.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA_DIR", "LOCATION_FILE", "TARIFF_FILE"]

DATA_DIR = Path(__file__).resolve().parent
LOCATION_FILE = DATA_DIR / "location.json"
TARIFF_FILE = DATA_DIR / "tariff.json"
