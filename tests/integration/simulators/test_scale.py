"""A few hundred stations in one process stay small (the 2,000-station figure in miniature).

Runs the fake CSMS and the simulator as separate processes, as `measure_fleet` does, and
checks the simulator's memory per station against a budget that compression or a task too
many per station would break (per-message deflate alone costs about 50 KiB a connection).
"""

from __future__ import annotations

import pytest

from .measure_fleet import measure

COUNT = 400
BUDGET_KIB_PER_STATION = 80.0


@pytest.mark.slow
def test_hundreds_of_idle_stations_fit_the_memory_budget() -> None:
    baseline = measure(1, "mixed", idle_s=1.0, connect_rate=200.0)
    fleet = measure(COUNT, "mixed", idle_s=3.0, connect_rate=200.0)
    marginal = (float(fleet["rss_mib"]) - float(baseline["rss_mib"])) * 1024 / (COUNT - 1)  # type: ignore[arg-type]
    assert fleet["threads"] == 1  # no thread per station, no validation thread pool
    assert 0 < marginal < BUDGET_KIB_PER_STATION, fleet
