"""The instability flag (o2osim.kpis.stability): overall/all/unstable, the manifest's
reasons and the warning.

Theory says an M/M/4 picking station is stable below rho = 1 and not above: its
queue grows by (rho - 1) * 4 orders a minute for as long as orders arrive. The rule
reads the run's tables; these runs check it on both sides of rho = 1, and the rule's
queue sign on synthetic snapshot tables (saturated, growing, a peak that clears).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from o2osim import simulate
from o2osim.kpis import KpiInput
from o2osim.kpis.stability import UnstableRunWarning, queue_reasons
from o2osim.log_tables import resource_stats_table
from o2osim.tables import RunTables

from helpers import stripped

SEEDS = range(1, 6)


def _pickers(rho: float):
    """Four pickers at exponential 1 min per order, riders to spare: rho = lambda / 4."""
    return stripped(
        ["pick", "deliver"],
        per_minute=4 * rho,
        horizon="3d",
        warmup="12h",
        couriers={"riders": 100},
    )


@pytest.mark.parametrize("rho", [0.7, 0.9])
def test_a_stable_station_is_not_flagged(rho):
    for seed in SEEDS:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UnstableRunWarning)
            result = simulate(_pickers(rho), seed=seed)
        assert result.kpi("overall", "all", "unstable") == 0
        assert result.manifest["unstable"] == []


def test_an_overloaded_station_is_flagged_with_its_figures():
    for seed in SEEDS:
        with pytest.warns(UnstableRunWarning) as caught:
            result = simulate(_pickers(1.2), seed=seed)
        assert result.kpi("overall", "all", "unstable") == 1
        (reason,) = result.manifest["unstable"]  # the pickers, not the riders
        assert reason.startswith("resource pick: queue never empty on the last day")
        assert "utilisation 1.000 (>= 0.99)" in reason
        assert [str(w.message) for w in caught] == [
            f"textbook (seed {seed}) looks unstable: {reason}"
        ]
        # The drain served the backlog: the orders ended, so the queue sign alone flags it.
        assert result.kpi("overall", "all", "censored") == 0


def _source(queues: dict[str, np.ndarray], utilisation: float, interval: float = 60.0):
    """A KpiInput whose only tables are hourly snapshots of ``queues`` from time 0."""
    scenario = stripped(["pick"], 1.0, horizon="4d", warmup="1d")
    rows = [
        (i * interval, name, int(q), 4, 4)
        for name, series in queues.items()
        for i, q in enumerate(series)
    ]
    resources = pd.DataFrame(rows, columns=["time", "resource", "queue", "busy", "servers"])
    stats = {name: {"utilisation": utilisation} for name in queues}
    run = RunTables(pd.DataFrame(), resources, resource_stats=resource_stats_table(stats))
    return KpiInput(scenario, run, None, pd.DataFrame(), 3.0, ())


def test_the_queue_sign_on_synthetic_snapshots():
    hours = np.arange(96)
    # Building up from the end of the warm-up (hour 24) on, though the servers were
    # counted idle 10% of the time: it never empties on the last day, and its mean
    # then (119) is over 3 times the first day's (23).
    growing = np.maximum(hours - 24, 0) * 2
    (reason,) = queue_reasons(_source({"pick": growing}, 0.9))
    assert "mean queue 23.0 on the first day, 119.0 on the last (>= 3x)" in reason
    # Saturated but flat: a queue of 5 to 9 all day, busy 99.5% of the time.
    flat = 5 + hours % 5
    (reason,) = queue_reasons(_source({"pick": flat}, 0.995))
    assert "utilisation 0.995 (>= 0.99)" in reason and "3x" not in reason
    # The same flat queue at 95%: a busy but stable station.
    assert queue_reasons(_source({"pick": flat}, 0.95)) == []
    # A peak on the last day that clears overnight (a Double 11): not flagged.
    peak = np.where(hours >= 72, 500 * np.sin(np.pi * (hours % 24) / 24) ** 2, 0)
    assert queue_reasons(_source({"pick": peak.round()}, 0.999)) == []
