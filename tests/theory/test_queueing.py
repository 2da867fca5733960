"""Stripped-down stations against queueing theory (docs/validation.md).

Each test runs independent replications (different seeds) and asserts that the
closed-form value lies inside the 99% replication confidence interval.
"""

from __future__ import annotations

import math

import pytest

from o2osim import simulate
from o2osim.theory import mmc_mean_queue, mmc_mean_wait
from o2osim.world import World

from helpers import confidence_interval, stripped

REPLICATIONS = 20


def _replicate(scenario, resource: str, kpi: str) -> list[float]:
    return [
        simulate(scenario, seed=seed).kpi("resource", resource, kpi)
        for seed in range(1, REPLICATIONS + 1)
    ]


def test_picking_station_mean_wait_is_erlang_c():
    # c = 4 pickers, exponential 1 min per line, one line per order, 3 orders/min: rho = 0.75.
    scenario = stripped(["pick"], per_minute=3.0)
    waits = _replicate(scenario, "pick", "mean_wait")
    low, high = confidence_interval(waits)
    exact = mmc_mean_wait(3.0, 1.0, 4)
    assert low <= exact <= high, f"Erlang C W_q={exact:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"


def test_picking_station_mean_queue_is_erlang_c():
    scenario = stripped(["pick"], per_minute=3.0)
    queues = _replicate(scenario, "pick", "mean_queue")
    low, high = confidence_interval(queues)
    exact = mmc_mean_queue(3.0, 1.0, 4)
    assert low <= exact <= high


def test_rider_fleet_in_teaching_mode_is_erlang_c():
    # 8 riders, exponential round trips of 2 min, 3.4 orders/min: rho = 0.85.
    scenario = stripped(["deliver"], per_minute=3.4)
    waits = _replicate(scenario, "deliver", "mean_wait")
    low, high = confidence_interval(waits)
    assert low <= mmc_mean_wait(3.4, 2.0, 8) <= high


@pytest.mark.parametrize("resource", ["pick", "pack", "deliver"])
def test_littles_law_on_one_sample_path(resource):
    # L (exact time integral) against lambda * W (waits read from the order table).
    scenario = stripped(["pick", "pack", "deliver"], per_minute=3.0, horizon="10d")
    result = simulate(scenario, seed=11)
    mean_queue = result.kpi("resource", resource, "mean_queue")
    rate = result.kpi("resource", resource, "arrival_rate")
    wait = result.kpi("resource", resource, "mean_wait")
    assert mean_queue == pytest.approx(rate * wait, rel=0.01)


def test_offered_load_matches_utilisation():
    # Utilisation of an M/M/c station is lambda / (c mu): a conservation law, not a fit.
    scenario = stripped(["pick"], per_minute=3.0)
    utilisation = _replicate(scenario, "pick", "utilisation")
    low, high = confidence_interval(utilisation)
    assert low <= 0.75 <= high


def test_arrival_rate_matches_configured_rate():
    scenario = stripped(["pick"], per_minute=3.0, horizon="2d", warmup="0s")
    counts = [len(World(scenario, seed=s).book) for s in range(1, 3)]
    world = World(scenario, seed=3)
    world.run()
    expected = 3.0 * 2 * 1440
    # Poisson count: within 4 standard deviations of its mean.
    assert abs(len(world.book) - expected) < 4 * math.sqrt(expected)
    assert counts == [0, 0]  # nothing is generated before the run starts
