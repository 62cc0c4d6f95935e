"""The spec's own example objects, re-owned by the fake CPO (SE*CPO)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from .fake_cpo import CC, PARTY

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "ocpi_examples"


def example(name: str, **changes: Any) -> dict[str, Any]:
    """The example `name` (without .json), owned by SE*CPO, with `changes` applied."""
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))
    data = copy.deepcopy(data.get("data", data)) if "status_code" in data else data
    if "country_code" in data and "party_id" in data:
        data["country_code"], data["party_id"] = CC, PARTY
    data.update(changes)
    return data
