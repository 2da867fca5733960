"""Courier zones against Erlang C: pooled riders are one M/M/c, riders bound to zones are
one M/M/(c/k) per zone with a k-th of the arrivals.

Orders arrive as a Poisson process straight at the couriers (route ``deliver``), homes
lie in a uniformly random direction around the depot, so each of the four sectors gets a
Poisson quarter of the arrivals (thinning); a round trip is exponential (teaching mode).
Mean wait for a courier: W_q = C(c, a) / (c mu - lambda) (Erlang 1917).
"""

from __future__ import annotations

import math

import pytest
from zone_setups import fleet_scenario

from o2osim import simulate
from o2osim.city import ZoneMap
from o2osim.scenario import ScenarioError
from o2osim.theory import mmc_mean_wait

from helpers import confidence_interval

REPLICATIONS = 8
PER_MINUTE = 2.4
TRIP = 2.0  # mean round trip, minutes
RIDERS = 8
SECTORS = 4


def _couriers(pooling: str) -> dict:
    return {
        "riders": RIDERS,
        "trip_time": {"dist": "exponential", "mean": f"{TRIP:g}min"},
        "zones": {"sectors": SECTORS, "pooling": pooling},
    }


def _waits(pooling: str) -> tuple[list[float], object]:
    scenario = fleet_scenario(PER_MINUTE, _couriers(pooling), horizon="2d")
    waits, last = [], None
    for seed in range(1, REPLICATIONS + 1):
        last = simulate(scenario, seed=seed)
        orders = last.orders[last.orders["after_warmup"]]
        waits.append(float((orders["dispatched"] - orders["dispatch_queued"]).mean()))
    return waits, last


@pytest.mark.parametrize(
    ("pooling", "servers", "rate"),
    [("pooled", RIDERS, PER_MINUTE), ("zone", RIDERS // SECTORS, PER_MINUTE / SECTORS)],
)
def test_mean_wait_for_a_courier_is_erlang_c(pooling, servers, rate):
    waits, result = _waits(pooling)
    exact = mmc_mean_wait(rate, TRIP, servers)
    low, high = confidence_interval(waits)
    assert low <= exact <= high, f"{pooling}: Erlang C {exact:.4f} outside [{low:.4f}, {high:.4f}]"
    # The zone KPIs: every zone reports, deliveries add up to the fleet's.
    kpis = result.kpis
    zones = kpis[kpis["group"] == "zone"]
    assert sorted(zones["name"].unique()) == [f"couriers.z{k}" for k in range(1, SECTORS + 1)]
    delivered = zones[zones["kpi"] == "deliveries"]["value"].sum()
    assert delivered == result.kpi("overall", "all", "delivered")
    riders = zones[zones["kpi"] == "riders"]["value"].tolist()
    assert riders == [servers if pooling == "zone" else RIDERS] * SECTORS


def test_pooling_beats_binding_as_erlang_c_says():
    # Not a simulation: the outside numbers the two tests above hold the model to.
    pooled = mmc_mean_wait(PER_MINUTE, TRIP, RIDERS)
    bound = mmc_mean_wait(PER_MINUTE / SECTORS, TRIP, RIDERS // SECTORS)
    assert bound > 4 * pooled


def test_zone_map_cuts_sectors_and_rings():
    zones = ZoneMap((1.0, 1.0), 4, [2.0])
    assert zones.count == 8
    east, north, west, south = (0.5, 0.0), (0.0, 0.5), (-0.5, 0.0), (0.0, -0.5)
    assert [zones(1.0 + dx, 1.0 + dy) for dx, dy in (east, north, west, south)] == [0, 1, 2, 3]
    assert zones(1.0 + 3.0 * math.cos(1.0), 1.0 + 3.0 * math.sin(1.0)) == 4  # outer ring
    assert zones(1.0, 1.0) == 0  # the centre is in the first zone


def test_no_zone_rows_without_zones():
    result = simulate(fleet_scenario(0.5, {"riders": 2, "dispatch": "batch"}, horizon="12h"))
    assert "zone" not in set(result.kpis["group"])


@pytest.mark.parametrize(
    ("zones", "riders", "message"),
    [
        ({"sectors": 2, "pooling": "zone", "riders": [3, 3]}, 5, "add up to 6"),
        ({"sectors": 3, "pooling": "zone"}, 2, "cannot be bound to 3 zones"),
        ({"sectors": 2, "rings_km": [3.0, 1.0]}, 4, "rings_km must increase"),
        ({"sectors": 2, "riders": [1, 1, 1]}, 3, "3 values for 2 zones"),
    ],
)
def test_bad_zones_are_refused(zones, riders, message):
    with pytest.raises(ScenarioError, match=message):
        fleet_scenario(0.5, {"riders": riders, "zones": zones})
