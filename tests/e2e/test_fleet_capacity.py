"""One simulator process holds 2,000 stations against a real `csms serve` (issue #5).

Slow (about two minutes on a 2-core machine), so it runs only when asked:
`LADDPUNKT_CAPACITY=1 pytest tests/e2e/test_fleet_capacity.py`, or as a script with
figures: `python -m tests.e2e.fleet_capacity`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.fleet_capacity import measure, verdict

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("LADDPUNKT_CAPACITY") != "1",
        reason="2,000 stations for two minutes: set LADDPUNKT_CAPACITY=1 to run it",
    ),
]


@pytest.mark.timeout(600)
async def test_one_simulator_process_holds_2000_stations(tmp_path: Path) -> None:
    figures = await measure(tmp_path, 2000, hold=60, sessions_per_hour=2, connect_rate=100)
    assert verdict(figures) == [], figures
    assert figures["server_counts_connected"] == 2000
    assert figures["transactions_started"] > 0  # sessions ran meanwhile
