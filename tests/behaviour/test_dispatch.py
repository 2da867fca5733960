"""Courier dispatch: the general dispatcher against Erlang C and the station fast path,
batching windows, and a new policy as one function.

Every test checks the model against a number it did not produce: Erlang C, the station's
order-by-order times, and the batching rule recomputed from the order table.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from o2osim import simulate
from o2osim.dispatch import DISPATCH_POLICIES, dispatch_policy
from o2osim.facilities.couriers import Fleet, RiderFleet
from o2osim.policies import POLICY_NAMES
from o2osim.theory import mmc_mean_wait
from o2osim.validation import RIDING
from o2osim.world import World

from courier_city import city, run_world, trips
from helpers import confidence_interval, stripped

REPLICATIONS = 20


# ---------------------------------------------------------------- M/M/c


def test_dispatcher_with_one_order_per_trip_is_erlang_c():
    # 8 riders on a 24 h shift (the general dispatcher, not the station fast path), one order
    # per trip, FCFS. Homes at an exponential distance of mean 0.5 km, 30 km/h, no handover:
    # the round trip 2 d / v is exponential with mean 2 min, so the fleet is M/M/8, rho 0.85.
    scenario = stripped(["deliver"], per_minute=3.4, **RIDING)
    assert isinstance(World(scenario).fleet, Fleet)
    assert scenario.couriers.trip_time is None
    waits = [
        simulate(scenario, seed=s).kpi("resource", "deliver", "mean_wait")
        for s in range(1, REPLICATIONS + 1)
    ]
    low, high = confidence_interval(waits)
    exact = mmc_mean_wait(3.4, 2.0, 8)
    assert low <= exact <= high, f"Erlang C W_q={exact:.4f} outside 99% CI [{low:.4f}, {high:.4f}]"


@pytest.mark.parametrize(
    ("mode", "traffic"), [("riding", "city"), ("riding", "free"), ("teaching", "free")]
)
def test_dispatcher_and_station_fast_path_deliver_identically(mode, traffic):
    # One order per trip, FCFS: the general dispatcher must reproduce the c-server station
    # order by order (same random numbers, same times), in both travel modes.
    fleet: dict[str, Any] = {"riders": 6, "speed_kmh": {"dist": "gamma", "mean": 18.0, "cv": 0.3}}
    if mode == "teaching":
        fleet = {"riders": 6, "trip_time": {"dist": "lognormal", "mean": "2min", "cv": 0.8}}
        rate = 2.5
    else:
        rate = 0.2
    plain = city(rate, fleet, horizon="1d", city={"traffic_profile": traffic})
    shifted = city(
        rate,
        {**fleet, "shifts": [{"start": "00:00", "end": "00:00", "riders": 6}]},
        horizon="1d",
        city={"traffic_profile": traffic},
    )
    fast, general = World(plain), World(shifted)
    assert isinstance(fast.fleet, RiderFleet) and isinstance(general.fleet, Fleet)
    columns = [
        "dispatch_queued",
        "dispatched",
        "leg_start",
        "arrived",
        "delivered",
        "rider_back",
        "leg_km",
        "speed_kmh",
        "traffic",
        "finished",
        "outcome",
    ]
    one, two = run_world(plain)[1], run_world(shifted)[1]
    assert one["dispatched"].notna().sum() > 100
    assert (one["dispatched"] > one["dispatch_queued"]).any()  # riders were sometimes scarce
    pd.testing.assert_frame_equal(one[columns], two[columns])


# ---------------------------------------------------------------- batching


@pytest.mark.parametrize("policy", ["batch", "nearest_neighbour"])
def test_batching_never_holds_an_order_past_its_window(policy):
    window, capacity, riders = 6.0, 4, 5
    scenario = city(
        1.2,
        {
            "riders": riders,
            "dispatch": policy,
            "capacity": capacity,
            "batch_window": "6min",
            "speed_kmh": {"dist": "lognormal", "mean": 18, "cv": 0.2},
        },
        horizon="2d",
        warmup="0s",
        city={"traffic_profile": "city", "detour_factor": 1.3},
    )
    orders = run_world(scenario)[1]
    horizon = scenario.scenario.horizon
    sent = orders[orders["dispatched"].notna()]
    by_trip = trips(orders)
    size = by_trip.size()
    assert size.max() <= capacity
    assert (size > 1).mean() > 0.3  # it really batches
    # A trip leaves before its oldest order's window closes only when it is full.
    oldest = by_trip["dispatch_queued"].min()
    left = by_trip["dispatched"].first()
    early = left < oldest + window - 1e-9
    assert (size[early] == capacity).all()
    # An order waits past its window only while no courier is idle at the depot: each
    # courier is idle from coming back (or the start) until its next trip (or the horizon).
    legs = by_trip[["rider", "dispatched", "rider_back"]].first().sort_values("dispatched")
    gaps = []
    for _, rides in legs.groupby("rider"):
        back = np.concatenate(([0.0], rides["rider_back"].fillna(horizon).to_numpy()))
        leave = np.concatenate((rides["dispatched"].to_numpy(), [horizon]))
        gaps.append(np.column_stack((back, leave)))
    assert sum(len(g) for g in gaps) >= riders  # every courier appears
    idle = np.concatenate(gaps)
    idle = idle[idle[:, 1] - idle[:, 0] > 1e-9]
    overdue_from = sent["dispatch_queued"].to_numpy() + window
    until = sent["dispatched"].to_numpy()
    late = until > overdue_from + 1e-9
    assert late.any()  # the scarce-courier case is exercised
    start = np.maximum(idle[:, :1], overdue_from[late])
    end = np.minimum(idle[:, 1:], until[late])
    assert not (end - start > 1e-9).any(), "an order was held past its window by an idle courier"


def test_a_new_policy_is_one_function(monkeypatch):
    def newest_first(waiting, now, fleet):
        return [list(waiting)[-1]], math.inf

    # One decorated function; the monkeypatches only undo the registration afterwards.
    monkeypatch.setitem(DISPATCH_POLICIES, "newest_first", newest_first)
    monkeypatch.setitem(POLICY_NAMES, "dispatch", POLICY_NAMES["dispatch"])
    dispatch_policy("newest_first")(newest_first)
    scenario = city(1.0, {"riders": 3, "dispatch": "newest_first"}, horizon="1d")
    orders = simulate(scenario).orders
    sent = orders[orders["dispatched"].notna()].sort_values("dispatched", kind="stable")
    # Last come first served: some order leaves before an older one that was waiting.
    assert (np.diff(sent["dispatch_queued"].to_numpy()) < 0).any()
