"""Paths to the spec data copied into the project, and small JSON helpers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
SCHEMA_PATH = DATA_DIR / "ocpi-2.2.1.schema.json"
EXAMPLES_DIR = DATA_DIR / "ocpi_examples"


def example_bytes(name: str) -> bytes:
    """The raw bytes of one spec example file."""
    return (EXAMPLES_DIR / name).read_bytes()


def exact_json(raw: bytes | str) -> Any:
    """Parse JSON keeping every number as its exact text, so that ``2.00`` and
    ``2.0`` compare different."""
    return json.loads(raw, parse_float=str, parse_int=str)


def load_schema() -> dict[str, Any]:
    """The `types` table of the machine-readable spec tables."""
    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        types: dict[str, Any] = json.load(handle)["types"]
    return types
